/**
 * The 2017 Police and Crime Plan consultation, replayed (domain surveys §9). The plan gives
 * orderings, not counts, so this fixture is synthetic and deterministic: 3,489 respondents,
 * both questions "choose up to 3", dealt cyclically; all eight areas; 1,204 comments
 * including the four the plan quotes. Peterborough's respondents are dealt as a group of
 * their own so that anti-social behaviour is their top concern (the test computes it).
 */

export const ROAD_SAFETY = 'Road safety – including speeding, drink driving and dangerous driving';

/** The plan's two lists, as published (seeds/police-and-crime-plan-2017-20.txt). */
export const PLAN_CRIMES_TOP5 = [
  'House burglary',
  ROAD_SAFETY,
  'General anti-social behaviour',
  'Criminal damage, vandalism',
  'Cybercrime/internet enabled crime',
];
export const PLAN_PRIORITIES_TOP5 = [
  'More local policing to increase police visibility',
  'Bringing offenders to justice',
  ROAD_SAFETY,
  'House burglary',
  'General anti-social behaviour',
];

export const RESPONDENTS = 3489;
const PETERBOROUGH = 480;
const CRIMES_SKIPPED = 11;
const CRIMES_NONE = 38;
const PRIORITIES_SKIPPED = 17;
const COMMENTS = 1204;

/** [key, label, Peterborough picks, everyone else's picks] */
const CRIMES: Array<[string, string, number, number]> = [
  ['burglary', 'House burglary', 250, 1592],
  ['road_safety', ROAD_SAFETY, 220, 1341],
  ['asb', 'General anti-social behaviour', 300, 1107],
  ['criminal_damage', 'Criminal damage, vandalism', 160, 859],
  ['cybercrime', 'Cybercrime/internet enabled crime', 120, 814],
  ['violent', 'Violent crime', 100, 681],
  ['drugs', 'Drug dealing and drug use', 80, 520],
  ['sexual', 'Sexual offences', 40, 480],
  ['domestic', 'Domestic abuse', 40, 410],
  ['hate', 'Hate crime', 30, 350],
  ['rural', 'Rural crime', 20, 280],
  ['fraud', 'Fraud and scams', 40, 160],
];
const PRIORITIES: Array<[string, string, number]> = [
  ['local_policing', 'More local policing to increase police visibility', 2196],
  ['justice', 'Bringing offenders to justice', 1724],
  ['road_safety', ROAD_SAFETY, 1398],
  ['burglary', 'House burglary', 1265],
  ['asb', 'General anti-social behaviour', 1139],
  ['drugs', 'Tackling drugs', 702],
  ['victims', 'Supporting victims', 600],
  ['vulnerable', 'Protecting vulnerable people', 480],
  ['cybercrime', 'Cybercrime/internet enabled crime', 390],
  ['rural', 'Rural crime', 300],
  ['reoffending', 'Reducing reoffending', 210],
];
const OTHER_AREAS = [
  'cambridge',
  'east_cambridgeshire',
  'fenland',
  'huntingdonshire',
  'south_cambridgeshire',
  'outside',
  'prefer_not',
];

export const PLAN_QUOTES = [
  'The use of technology should spread to allow a linking up of databases to combat crimes and to support the growing concern of cybercrime',
  'Try to involve the public more in fighting crime. Most people will be more likely to help if Police are more active in using this resource',
  'I believe the Police do a good job with limited resources. They need more funding either through the Council Tax or Government Grants to increase Police Officer numbers',
  'Have a better website, more information and more interactive. Have a better online presence and engagement processes. Be honest about not being able to do everything and that some things are not priorities and will not be actioned',
];

export const PCP_SURVEY = {
  title: 'Police and Crime Plan 2017-20 consultation',
  description:
    'The Police and Crime Commissioner for Cambridgeshire and Peterborough wants to know what matters most to you before writing the Police and Crime Plan.',
  opensAt: '2016-11-01T00:00:00Z',
  closesAt: '2027-01-31T23:59:00Z',
  anonymous: true,
  questions: [
    {
      key: 'crimes',
      kind: 'multiple',
      label: 'Which types of crime are you most concerned about?',
      hint: 'Select up to 3',
      maxChoices: 3,
      options: [
        ...CRIMES.map(([key, label]) => ({ key, label })),
        { key: 'none', label: 'None of these', behaviour: 'exclusive' },
      ],
    },
    {
      key: 'priorities',
      kind: 'multiple',
      label: 'What would you like the police to prioritise?',
      hint: 'Select up to 3',
      maxChoices: 3,
      options: PRIORITIES.map(([key, label]) => ({ key, label })),
    },
    { key: 'area', kind: 'area', label: 'Where do you live?', required: true },
    { key: 'comments', kind: 'text', label: 'Is there anything else you would like to tell us?' },
  ],
};

/** Deals each option's picks to consecutive respondents, wrapping round: ≤ 3 each, distinct. */
function deal(people: number[], counts: Array<[string, number]>, into: Map<number, string[]>) {
  let at = 0;
  for (const [key, count] of counts) {
    for (let i = 0; i < count; i += 1) {
      const person = people[at % people.length]!;
      into.set(person, [...(into.get(person) ?? []), key]);
      at += 1;
    }
  }
}

/** The 3,489 answer sets, in submission order. */
export function pcpResponses(): Array<Record<string, string | string[]>> {
  const all = Array.from({ length: RESPONDENTS }, (_, i) => i);
  const peterborough = all.slice(0, PETERBOROUGH);
  const rest = all.slice(PETERBOROUGH);
  const crimesSkipped = new Set(rest.slice(0, CRIMES_SKIPPED));
  const crimesNone = new Set(rest.slice(CRIMES_SKIPPED, CRIMES_SKIPPED + CRIMES_NONE));
  const crimes = new Map<number, string[]>();
  deal(
    peterborough,
    CRIMES.map(([key, , p]) => [key, p]),
    crimes,
  );
  deal(
    rest.filter((i) => !crimesSkipped.has(i) && !crimesNone.has(i)),
    CRIMES.map(([key, , , other]) => [key, other]),
    crimes,
  );
  // Priorities skipped by the last 17, so the two skips fall on different people.
  const priorities = new Map<number, string[]>();
  deal(
    all.slice(0, RESPONDENTS - PRIORITIES_SKIPPED),
    PRIORITIES.map(([key, , n]) => [key, n]),
    priorities,
  );

  return all.map((i) => {
    const answers: Record<string, string | string[]> = {
      area: i < PETERBOROUGH ? 'peterborough' : OTHER_AREAS[i % OTHER_AREAS.length]!,
    };
    if (crimesNone.has(i)) answers.crimes = ['none'];
    else if (crimes.has(i)) answers.crimes = crimes.get(i)!;
    if (priorities.has(i)) answers.priorities = priorities.get(i)!;
    if (i < COMMENTS)
      answers.comments =
        i < PLAN_QUOTES.length
          ? PLAN_QUOTES[i]!
          : `Comment ${i + 1}: ${['more patrols in the evening', 'speeding on the A14', 'faster replies to 101 calls', 'drug dealing near the park'][i % 4]}`;
    return answers;
  });
}

/** §9's table: the top six of each question with counts and percentages. */
export const EXPECTED = {
  crimes: {
    base: 3478,
    notAnswered: 11,
    none: 38,
    top: [
      ['House burglary', 1842, 53.0],
      [ROAD_SAFETY, 1561, 44.9],
      ['General anti-social behaviour', 1407, 40.5],
      ['Criminal damage, vandalism', 1019, 29.3],
      ['Cybercrime/internet enabled crime', 934, 26.9],
      ['Violent crime', 781, 22.5],
    ] as Array<[string, number, number]>,
  },
  priorities: {
    base: 3472,
    notAnswered: 17,
    top: [
      ['More local policing to increase police visibility', 2196, 63.2],
      ['Bringing offenders to justice', 1724, 49.7],
      [ROAD_SAFETY, 1398, 40.3],
      ['House burglary', 1265, 36.4],
      ['General anti-social behaviour', 1139, 32.8],
      ['Tackling drugs', 702, 20.2],
    ] as Array<[string, number, number]>,
  },
};
