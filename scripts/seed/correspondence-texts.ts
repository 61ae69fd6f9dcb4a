/**
 * What the demo correspondence says: for each kind of item, a subject, the body that goes
 * with it, the reply a caseworker would send and the outcome that reply gives. Kept
 * together so a subject never meets another item's body or answer (issue #15: an FOI
 * titled about officer numbers whose body was about anti-social behaviour).
 */

export interface Item {
  subject: string;
  topic: 'Victims' | 'Offenders' | 'Communities' | 'Transformation';
  body: string;
  /** The paragraph the reply puts where the template says "[Write the reply here.]". */
  answer: string;
}

export interface InformationRequest extends Item {
  outcome: 'granted' | 'granted_in_part' | 'refused' | 'not_held';
  exemptions: string[];
  /** What the disclosure log tells the public was released. */
  summary: string;
}

/** General correspondence (also what MPs write about on a constituent's behalf). */
export const GENERAL: Item[] = [
  {
    subject: 'Speeding through the village on the A1123',
    topic: 'Communities',
    body: 'Cars regularly exceed the limit past the primary school at pick-up time. Could a speed watch or enforcement be arranged?',
    answer:
      'I have passed your concerns to the Huntingdonshire neighbourhood inspector, who has asked the roads policing team to carry out enforcement at school times. Community Speed Watch is also recruiting volunteers in your village; I have enclosed details.',
  },
  {
    subject: 'Anti-social behaviour in Wisbech town centre',
    topic: 'Communities',
    body: 'Groups gather near the market place most evenings and residents feel intimidated. What is the neighbourhood team doing?',
    answer:
      'The Fenland neighbourhood team has increased evening patrols around the market place and is working with the district council on a dispersal order. Please keep reporting incidents on 101 or online, as reports decide where patrols go.',
  },
  {
    subject: 'Hare coursing on farmland near March',
    topic: 'Communities',
    body: 'Rural crime is a real problem for us: hare coursers have damaged crops and threatened my workers twice this month.',
    answer:
      'The Rural Crime Action Team has made hare coursing a priority this season and works with neighbouring forces under Operation Galileo. I have shared your report with the team, who will contact you about prevention advice for your land.',
  },
  {
    subject: 'Burglary follow-up in Peterborough',
    topic: 'Victims',
    body: 'My house was burgled and I have not heard anything since the officer visited. I would like an update on the investigation.',
    answer:
      'I have asked the investigating team for an update, and the officer in the case will contact you this week. Victim support is available through Cambridgeshire Victim and Witness Hub on 0800 781 6818.',
  },
  {
    subject: 'Support for victims of domestic abuse',
    topic: 'Victims',
    body: 'I would like to know what support services the Commissioner funds for people leaving abusive relationships.',
    answer:
      'The Commissioner funds independent domestic violence advisers, refuge places and the Victim and Witness Hub. I have enclosed a leaflet listing each service and how to contact it in confidence.',
  },
  {
    subject: 'Online fraud targeting older residents',
    topic: 'Victims',
    body: 'My mother lost money to a telephone scam. How are the police helping older people protect themselves from fraud?',
    answer:
      "I am sorry to hear about your mother's experience. The Constabulary's fraud prevention team runs talks for older residents and the Commissioner funds a fraud victim support worker, who will contact your mother if she would like that.",
  },
  {
    subject: 'Visible policing in Cambridge city centre',
    topic: 'Communities',
    body: 'I rarely see officers on foot any more. Are there plans to increase patrols in the city centre?',
    answer:
      'The Commissioner has funded additional neighbourhood officers this year, and the city centre team now patrols on foot at the busiest times. Your local priorities can be raised at the neighbourhood panel meetings listed on the Constabulary website.',
  },
  {
    subject: 'Cycle theft at Cambridge station',
    topic: 'Offenders',
    body: 'Bicycles are stolen from the station racks every week. Is anything being done to catch the thieves?',
    answer:
      'Officers are working with British Transport Police and the station operator on better lighting and cameras at the racks, and run free bike-marking sessions. Registering your bike on BikeRegister helps officers return recovered bikes.',
  },
  {
    subject: 'Drug dealing near a play park in Huntingdon',
    topic: 'Offenders',
    body: 'There is obvious dealing near the park on weekday afternoons. I reported it to 101 but nothing seems to change.',
    answer:
      'Thank you for reporting this. Your information has been passed to the Huntingdon neighbourhood team, who use such reports to plan operations. Information can also be given anonymously to Crimestoppers on 0800 555 111.',
  },
  {
    subject: 'Collaboration with Bedfordshire and Hertfordshire',
    topic: 'Transformation',
    body: 'Please explain how sharing services with neighbouring forces has affected local policing.',
    answer:
      'Sharing specialist units such as firearms, major crime and forensics with Bedfordshire and Hertfordshire has saved money that has been kept in local policing. The Police and Crime Plan sets out the savings and where they went.',
  },
  {
    subject: 'The police precept and council tax',
    topic: 'Transformation',
    body: 'Why has the policing part of my council tax gone up again, and what will the extra money pay for?',
    answer:
      'The increase was agreed by the Police and Crime Panel after public consultation. It pays for more neighbourhood officers and for keeping the police control room fully staffed; the budget papers are on our website.',
  },
  {
    subject: 'Police and fire service working together',
    topic: 'Transformation',
    body: 'I read about closer working with Cambridgeshire Fire and Rescue. Will this mean shared stations in the county?',
    answer:
      'Police and fire already share several buildings in the county, and more are being considered where sharing saves money without reducing cover. Any proposal for your area would be consulted on first.',
  },
  {
    subject: 'Hate crime reporting',
    topic: 'Victims',
    body: 'I was abused in the street because of my religion. I want to know how to report it and what will happen next.',
    answer:
      'I am sorry this happened to you. You can report it on 101, online or through a third-party reporting centre; an officer will record it as a hate crime and the Victim and Witness Hub will offer you support.',
  },
  {
    subject: 'Young people and knife crime',
    topic: 'Offenders',
    body: 'What early intervention work is the Commissioner supporting to keep young people away from knives and gangs?',
    answer:
      'The Commissioner funds youth outreach workers and school sessions on the dangers of carrying knives, and supports the county lines exploitation team. Details of each project are in the enclosed summary.',
  },
  {
    subject: 'Response times in the Fens',
    topic: 'Communities',
    body: 'It took over an hour for police to attend an incident at my farm. Rural residents deserve the same service as towns.',
    answer:
      'I have asked the Constabulary to review the response to your call. Emergency response targets apply across the county, and the Commissioner monitors rural response times at his accountability board.',
  },
  {
    subject: 'Restorative justice after a car break-in',
    topic: 'Victims',
    body: 'I would like to meet the young person who broke into my car, if that is possible through restorative justice.',
    answer:
      'The Commissioner funds a restorative justice service that can arrange this if the young person agrees. I have referred your request to the service, who will contact you to explain how it works.',
  },
];

/** Complaints about the service the office or the Constabulary gave. */
export const COMPLAINTS: Item[] = [
  {
    subject: 'Complaint about how my 101 call was handled',
    topic: 'Transformation',
    body: 'I waited forty minutes on 101 to report a theft and was then cut off. I want to complain about this service.',
    answer:
      'I am sorry for your experience. Call waiting times on 101 are reviewed by the Commissioner each month, and I have passed your complaint to the control room manager, who has confirmed the call dropped because of a fault that has since been fixed.',
  },
  {
    subject: 'Complaint: no reply to my earlier letter',
    topic: 'Transformation',
    body: 'I wrote to the Commissioner six weeks ago and have had no reply. I would like an explanation.',
    answer:
      'I apologise that your earlier letter was not answered. It was wrongly filed, and we have changed how post is logged so that every letter now gets a reference on the day it arrives. A full reply to your letter is enclosed.',
  },
  {
    subject: 'Complaint about a neighbourhood officer not attending a meeting',
    topic: 'Communities',
    body: 'Our parish council was promised an officer at its meeting, but nobody came and nobody told us.',
    answer:
      'I am sorry nobody attended or let you know. The officer was called to an emergency, but the parish clerk should have been told. The sergeant has apologised and will attend your next meeting.',
  },
];

export const SUGGESTIONS: Item[] = [
  {
    subject: 'Suggestion: evening surgeries in the market towns',
    topic: 'Communities',
    body: 'Many people work during the day. Could the Commissioner hold some surgeries in the evening in towns like Ely and March?',
    answer:
      'Thank you for the suggestion. The Commissioner will hold evening surgeries in Ely, March and St Neots next quarter, and the dates will be on our website.',
  },
  {
    subject: 'Suggestion: text updates for victims of crime',
    topic: 'Victims',
    body: 'It would help if victims got a text message when something happens in their case, rather than having to chase.',
    answer:
      'Thank you. The Constabulary is introducing text updates for victims this year, funded through the Commissioner’s victims’ services budget, and your suggestion has been passed to the project team.',
  },
  {
    subject: 'Suggestion: a rural crime newsletter',
    topic: 'Communities',
    body: 'Farmers would find a regular newsletter about rural crime and prevention very useful.',
    answer:
      'Thank you. The Rural Crime Action Team already sends a monthly email bulletin; I have added your address to its list with your permission.',
  },
];

export const COMPLIMENT_ANSWER =
  'Thank you for taking the time to write. I have passed your kind words to the officers and to their inspector, and they will be recorded on the officers’ files.';

export const SAR_BODY =
  "Under data protection law I ask for a copy of the personal data the Commissioner's office holds about me.";
export const SAR_ANSWER: Record<'provided' | 'no_data', string> = {
  provided:
    'Enclosed is a copy of the personal data we hold about you: your correspondence with this office and our replies, which we keep for six years after the last contact.',
  no_data:
    'We have searched our casework system, email and paper files and hold no personal data about you.',
};

/** FOI requests, each with the answer it got. */
export const FOI_REQUESTS: InformationRequest[] = [
  {
    subject: 'Number of police officers per ward, 2016 to 2017',
    topic: 'Communities',
    body: 'Please tell me how many police officers were assigned to each ward in Cambridgeshire in 2016 to 2017.',
    answer:
      'The Constabulary does not assign officers to wards but to neighbourhood teams. The attached table gives the number of officers in each neighbourhood team on 31 March 2017.',
    outcome: 'granted_in_part',
    exemptions: [],
    summary:
      'Officer numbers by neighbourhood team released; figures by ward are not held because officers are not assigned to wards.',
  },
  {
    subject: "Spending on the Commissioner's office and staff",
    topic: 'Transformation',
    body: "Please provide the total cost of the Commissioner's office in 2016 to 2017, split into staff pay, premises and other costs.",
    answer:
      "The office cost £1.02 million in 2016 to 2017: staff pay £0.78 million, premises £0.06 million and other costs £0.18 million. The figures are also in the Commissioner's annual accounts.",
    outcome: 'granted',
    exemptions: [],
    summary: 'Office costs for 2016 to 2017 released in full, by staff, premises and other costs.',
  },
  {
    subject: 'Contracts for victim support services',
    topic: 'Victims',
    body: 'Please send copies of the contracts the Commissioner holds for victim support services, with their values.',
    answer:
      'The contract values are listed in the attached table. Parts of the contracts that would reveal the providers’ pricing are withheld under section 43(2), as their release would harm the providers’ commercial interests.',
    outcome: 'granted_in_part',
    exemptions: ['Section 43(2) – commercial interests'],
    summary:
      'Contract values and terms released; the providers’ pricing schedules withheld under section 43(2).',
  },
  {
    subject: 'Use of Taser by Cambridgeshire Constabulary',
    topic: 'Offenders',
    body: 'How many times was Taser drawn, aimed or fired by Cambridgeshire officers in each of the last three years?',
    answer:
      'This information is held by the Constabulary, not by the Commissioner’s office. We have passed your request to the Constabulary’s freedom of information team, who will reply to you directly.',
    outcome: 'not_held',
    exemptions: [],
    summary:
      'Not held by the Commissioner’s office; the requester was referred to the Constabulary.',
  },
  {
    subject: 'Number of 101 calls abandoned each month',
    topic: 'Transformation',
    body: 'Please give the number of 101 calls received and the number abandoned before being answered, for each month of 2016 to 2017.',
    answer:
      'The attached table gives the number of 101 calls received and abandoned in each month of 2016 to 2017, from the performance reports the Constabulary gives the Commissioner.',
    outcome: 'granted',
    exemptions: [],
    summary: 'Monthly 101 call and abandonment figures for 2016 to 2017 released in full.',
  },
  {
    subject: 'Security arrangements at the Commissioner’s office',
    topic: 'Transformation',
    body: "Please describe the security measures in place at the Commissioner's office, including alarm and camera locations.",
    answer:
      'We are withholding this information under section 31(1)(a) and section 38(1), as describing the security measures would make the building and the people in it more vulnerable. The public interest favours withholding it.',
    outcome: 'refused',
    exemptions: ['Section 31(1)(a) – law enforcement', 'Section 38(1) – health and safety'],
    summary: 'Refused under sections 31(1)(a) and 38(1): releasing it would weaken security.',
  },
];

/** Environmental information requests (EIR). */
export const EIR_REQUESTS: InformationRequest[] = [
  {
    subject: 'Energy use and carbon emissions of police buildings',
    topic: 'Transformation',
    body: 'Please provide the energy use and carbon emissions of the police estate in Cambridgeshire for each of the last two years.',
    answer:
      'The attached table gives electricity and gas use and the resulting carbon emissions for the police estate in 2015 to 2016 and 2016 to 2017.',
    outcome: 'granted',
    exemptions: [],
    summary: 'Energy use and carbon emissions of the police estate for two years released.',
  },
  {
    subject: 'Electric vehicles in the police fleet',
    topic: 'Transformation',
    body: 'How many vehicles in the police fleet are electric or hybrid, and what are the plans to replace diesel vehicles?',
    answer:
      'There are 14 electric and 22 hybrid vehicles in the fleet of 520. The fleet strategy, attached, plans to replace diesel cars as their leases end.',
    outcome: 'granted',
    exemptions: [],
    summary: 'Numbers of electric and hybrid vehicles and the fleet strategy released.',
  },
];

/** What a closed case's outcome paragraph says when the reply answers it. */
export const OUTCOME_WORDS: Record<string, string> = {
  upheld: 'I have upheld your complaint.',
  partly_upheld: 'I have upheld part of your complaint.',
  not_upheld:
    'Having looked into your complaint, I have not upheld it, for the reasons given above.',
};
