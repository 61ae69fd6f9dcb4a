import { sql } from 'drizzle-orm';
import type { Actor } from '../../server/platform/audit.js';
import type { CaseType, CaseChannel } from '../../server/correspondence/workflow.js';
import { replyOutcomes } from '../../server/correspondence/workflow.js';
import type { SeedContext } from './context.js';
import { prng, weighted } from './random.js';

const SUBJECTS: Array<{ subject: string; topic: string; body: string }> = [
  {
    subject: 'Speeding through the village on the A1123',
    topic: 'Communities',
    body: 'Cars regularly exceed the limit past the primary school at pick-up time. Could a speed watch or enforcement be arranged?',
  },
  {
    subject: 'Anti-social behaviour in Wisbech town centre',
    topic: 'Communities',
    body: 'Groups gather near the market place most evenings and residents feel intimidated. What is the neighbourhood team doing?',
  },
  {
    subject: 'Hare coursing on farmland near March',
    topic: 'Communities',
    body: 'Rural crime is a real problem for us: hare coursers have damaged crops and threatened my workers twice this month.',
  },
  {
    subject: 'Burglary follow-up in Peterborough',
    topic: 'Victims',
    body: 'My house was burgled and I have not heard anything since the officer visited. I would like an update on the investigation.',
  },
  {
    subject: 'Support for victims of domestic abuse',
    topic: 'Victims',
    body: 'I would like to know what support services the Commissioner funds for people leaving abusive relationships.',
  },
  {
    subject: 'Online fraud targeting older residents',
    topic: 'Victims',
    body: 'My mother lost money to a telephone scam. How are the police helping older people protect themselves from fraud?',
  },
  {
    subject: 'Visible policing in Cambridge city centre',
    topic: 'Communities',
    body: 'I rarely see officers on foot any more. Are there plans to increase patrols in the city centre?',
  },
  {
    subject: 'Cycle theft at Cambridge station',
    topic: 'Offenders',
    body: 'Bicycles are stolen from the station racks every week. Is anything being done to catch the thieves?',
  },
  {
    subject: 'Drug dealing near a play park in Huntingdon',
    topic: 'Offenders',
    body: 'There is obvious dealing near the park on weekday afternoons. I reported it to 101 but nothing seems to change.',
  },
  {
    subject: 'Collaboration with Bedfordshire and Hertfordshire',
    topic: 'Transformation',
    body: 'Please explain how sharing services with neighbouring forces has affected local policing.',
  },
  {
    subject: 'The police precept and council tax',
    topic: 'Transformation',
    body: 'Why has the policing part of my council tax gone up again, and what will the extra money pay for?',
  },
  {
    subject: 'Police and fire service working together',
    topic: 'Transformation',
    body: 'I read about closer working with Cambridgeshire Fire and Rescue. Will this mean shared stations in the county?',
  },
  {
    subject: 'Hate crime reporting',
    topic: 'Victims',
    body: 'I was abused in the street because of my religion. I want to know how to report it and what will happen next.',
  },
  {
    subject: 'Young people and knife crime',
    topic: 'Offenders',
    body: 'What early intervention work is the Commissioner supporting to keep young people away from knives and gangs?',
  },
  {
    subject: 'Response times in the Fens',
    topic: 'Communities',
    body: 'It took over an hour for police to attend an incident at my farm. Rural residents deserve the same service as towns.',
  },
  {
    subject: 'Restorative justice after a car break-in',
    topic: 'Victims',
    body: 'I would like to meet the young person who broke into my car, if that is possible through restorative justice.',
  },
];

const FOI_SUBJECTS = [
  'Number of police officers per ward, 2016 to 2017',
  "Spending on the Commissioner's office and staff",
  'Contracts for victim support services',
  'Use of Taser by Cambridgeshire Constabulary',
  'Number of 101 calls abandoned each month',
];

const FIRST = [
  'Margaret',
  'David',
  'Aisha',
  'John',
  'Sarah',
  'Mohammed',
  'Emma',
  'Peter',
  'Grace',
  'Michael',
  'Olivia',
  'James',
  'Fatima',
  'Robert',
  'Lucy',
  'Daniel',
  'Zofia',
  'Thomas',
  'Chloe',
  'Andrew',
];
const LAST = [
  'Smith',
  'Jones',
  'Patel',
  'Williams',
  'Brown',
  'Khan',
  'Taylor',
  'Wilson',
  'Nowak',
  'Davies',
  'Evans',
  'Thomas',
  'Hughes',
  'Ahmed',
  'Clarke',
  'Walker',
  'Wright',
  'Hall',
];
const PLACES = [
  ['Cambridge', 'CB1'],
  ['Peterborough', 'PE1'],
  ['Huntingdon', 'PE29'],
  ['Wisbech', 'PE13'],
  ['Ely', 'CB7'],
  ['St Neots', 'PE19'],
  ['March', 'PE15'],
  ['St Ives', 'PE27'],
  ['Whittlesey', 'PE7'],
  ['Soham', 'CB7'],
] as const;
const MPS = [
  'Daniel Zeichner MP',
  'Shailesh Vara MP',
  'Stewart Jackson MP',
  'Lucy Frazer MP',
  'Jonathan Djanogly MP',
];

const TYPE_MIX: Array<[CaseType, number]> = [
  ['general', 0.34],
  ['complaint', 0.15],
  ['suggestion', 0.1],
  ['mp_enquiry', 0.1],
  ['foi', 0.12],
  ['compliment', 0.08],
  ['sar', 0.06],
  ['eir', 0.05],
];
const CHANNEL_MIX: Array<[CaseChannel, number]> = [
  ['email', 0.45],
  ['web', 0.25],
  ['letter', 0.2],
  ['phone', 0.07],
  ['in_person', 0.03],
];

/** A year of correspondence (about 1,000 items), most of it answered and closed. */
export async function seedCorrespondence(ctx: SeedContext): Promise<void> {
  const { db, services, clock, system, staffIds, managerId } = ctx;
  const [{ n }] = (await db.execute<{ n: number }>(
    sql`select count(*)::int as n from cases`,
  )) as unknown as [{ n: number }];
  if (n > 0) {
    console.log(`correspondence: ${n} cases already present; nothing added`);
    return;
  }
  const random = prng(42);
  const end = new Date();
  const total = 1000;
  const started = Date.now();
  for (let i = 0; i < total; i += 1) {
    // Spread evenly over the past year, during office-ish hours.
    const receivedAt = new Date(
      end.getTime() - (365 - (365 * i) / total) * 86_400_000 + random.next() * 8 * 3600_000,
    );
    const type = weighted(TYPE_MIX, random.next());
    const channel = type === 'mp_enquiry' ? 'mp' : weighted(CHANNEL_MIX, random.next());
    const theme = random.pick(SUBJECTS);
    const [town, district] = random.pick(PLACES);
    const name = `${random.pick(FIRST)} ${random.pick(LAST)}`;
    const subject =
      type === 'foi' || type === 'eir'
        ? `Request for information: ${random.pick(FOI_SUBJECTS)}`
        : type === 'sar'
          ? 'Request for my personal data'
          : type === 'compliment'
            ? `Thank you to officers in ${town}`
            : theme.subject;
    const body =
      type === 'sar'
        ? "Under data protection law I ask for a copy of the personal data the Commissioner's office holds about me."
        : type === 'compliment'
          ? `I want to thank the officers who helped my family in ${town}. They were kind and professional.`
          : theme.body;
    const hasEmail = channel === 'email' || channel === 'web' || random.next() < 0.3;
    const contact =
      type === 'mp_enquiry'
        ? { name: random.pick(MPS), kind: 'mp' as const, email: null }
        : {
            name,
            email: hasEmail ? `${name.toLowerCase().replace(/\W+/g, '.')}${i}@example.org` : null,
            postcode: `${district} ${1 + Math.floor(random.next() * 9)}AB`,
            address: `${1 + Math.floor(random.next() * 120)} High Street, ${town}`,
          };

    clock.set(receivedAt);
    const created = await services.correspondence.createCase(system, {
      type,
      channel,
      receivedAt,
      subject,
      body,
      contact,
      ...(type === 'mp_enquiry' ? { onBehalfOf: { name, postcode: `${district} 4CD` } } : {}),
      topics: [theme.topic],
      assigneeId: random.pick(staffIds),
      acknowledge: false,
    });
    const ageDays = (end.getTime() - receivedAt.getTime()) / 86_400_000;
    // Older items are answered and closed; the last few weeks stay open, as in real life.
    if (ageDays < 25 && random.next() < 0.8) continue;
    const replyAfterDays = 2 + Math.floor(random.next() * (random.next() < 0.9 ? 18 : 40));
    const actor: Actor = { id: managerId, role: 'manager', requestId: 'seed' };
    let version = 1;
    clock.set(new Date(receivedAt.getTime() + 86_400_000));
    version = (await services.correspondence.transition(actor, created.id, { to: 'open', version }))
      .version;
    clock.set(new Date(receivedAt.getTime() + replyAfterDays * 86_400_000));
    if (clock.now() > end) continue;
    version = (
      await services.correspondence.transition(actor, created.id, { to: 'responded', version })
    ).version;
    clock.set(new Date(clock.now().getTime() + 2 * 86_400_000));
    if (clock.now() > end) continue;
    const outcome = random.pick(replyOutcomes(type));
    await services.correspondence.transition(actor, created.id, {
      to: 'closed',
      version,
      outcome,
    });
  }
  console.log(
    `correspondence: ${total} cases over the past year in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
