/**
 * The benchmark data set (docs/rules/performance.md §4), loaded into the bench database only:
 *
 *   npm run bench:seed                          1,000,000 cases, 400,000 contacts, 3,000,000 case events
 *   npm run bench:seed -- --cases 20000 --contacts 8000 --events 60000   a small one
 *   npm run bench:seed -- --fresh               drop and recreate opcc_bench first
 *
 * The orchestrator (bench/run.ts) runs it when the bench database has no seeded data,
 * unless `--no-seed`.
 *
 * - Deterministic: one PRNG (sfc32, seed 42) drives every value, ids included. The only
 *   input besides the counts is the anchor date ("today" of the data set, default the UTC
 *   date of the run), recorded with the seed, because open cases must be due around today.
 * - Loaded through `COPY … FROM STDIN` (postgres.js `.writable()`), in one transaction, into
 *   the migrated production schema: every index, constraint and trigger stays on. The
 *   append-only trigger on case_events refuses only UPDATE and DELETE, so COPY (an insert)
 *   passes it; the foreign keys are checked row by row as usual.
 * - Cases are ~5% open (new, open, awaiting requester or approval; mostly the recent ones,
 *   with next_due_on set), 2% restricted. References are `OPCC-<year>-<NNNNN>`, numbered per
 *   London year in order of the day of receipt (receipt times are 08:00-17:00 UTC, so the UTC and
 *   London dates agree); case_reference_counters holds each year's last number.
 * - 50 staff users (40 caseworkers, 10 managers) hold the assigned cases. Their password is
 *   random and thrown away: nobody signs in as them. The bench's own users are created by
 *   bench/app-server.ts through the users service.
 * - Ends with `VACUUM ANALYZE` and records counts and timings in `bench_seed` (a bench-only
 *   table outside the app's schema, so a reused database still knows its seed time).
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import postgres from 'postgres';
import { runMigrations } from '../db/migrate.js';
import {
  AWAITING_REASONS,
  CASE_CHANNELS,
  CASE_SUBTYPES,
  CASE_TYPES,
  EARLY_CLOSE_OUTCOMES,
  findMove,
  OPEN_STATUSES,
  replyOutcomes,
  type CaseChannel,
  type CaseStatus,
  type CaseSubtype,
  type CaseType,
} from '../server/correspondence/workflow.js';
import { londonDateOf } from '../server/lib/dates.js';
import { BENCH_DATABASE_URL, ensureDatabase } from './app-server.js';
import {
  openSeedClock,
  TIMER_COLUMNS,
  type SeedCase,
  type SeedClock,
  type SeedClockEvent,
} from './lib/seed-clock.js';

export interface SeedOptions {
  cases: number;
  contacts: number;
  events: number;
  staff: number;
  /** YYYY-MM-DD: the data set's "today". */
  anchor: string;
  seed: number;
}

export interface SeedRecord {
  options: SeedOptions;
  counts: Record<string, number>;
  /** Wall-clock ms per phase and in total (COPY through VACUUM ANALYZE). */
  timings: Record<string, number>;
  seededAt: string;
  host: { loadavgStart: number[]; loadavgEnd: number[] };
}

export const DEFAULT_SEED: Omit<SeedOptions, 'anchor'> = {
  cases: 1_000_000,
  contacts: 400_000,
  events: 3_000_000,
  staff: 50,
  seed: 42,
};

const log = (line: string) => process.stderr.write(`[seed] ${line}\n`);

// ---------------------------------------------------------------- PRNG

/** sfc32 (PractRand-tested, 32-bit state words), seeded from one integer. */
export function prng(seed: number) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i += 1) next();
  const float = () => next() / 4294967296;
  const int = (n: number) => Math.floor(float() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const hex8 = () => next().toString(16).padStart(8, '0');
  return {
    float,
    int,
    pick,
    chance: (p: number) => float() < p,
    /** Picks by weight: `[[value, weight], …]`. */
    weighted<T>(table: ReadonlyArray<readonly [T, number]>): T {
      const total = table.reduce((n, [, w]) => n + w, 0);
      let r = float() * total;
      for (const [value, w] of table) {
        r -= w;
        if (r < 0) return value;
      }
      return table.at(-1)![0];
    },
    /** A version-4-shaped UUID from the stream (deterministic, unlike gen_random_uuid()). */
    uuid() {
      const h = hex8() + hex8() + hex8() + hex8();
      const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}

// ---------------------------------------------------------------- COPY text format

/** One COPY text-format field: `\N` for null, backslash escapes for the rest. */
function field(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
const row = (values: Array<string | number | boolean | null | undefined>) =>
  `${values.map(field).join('\t')}\n`;
/** A text[] literal of plain words (no quoting needed). */
const textArray = (items: string[]) => `{${items.join(',')}}`;
/** A drizzle row value as COPY takes it: instants as ISO, jsonb as JSON text. */
const copyValue = (value: unknown): string | number | boolean | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value as string | number | boolean;
};

/** Streams rows from `generate` into `copy <table> (<columns>) from stdin`, in batches. */
async function copyInto(
  sql: postgres.Sql | postgres.TransactionSql,
  table: string,
  columns: string[],
  generate: () => Generator<string>,
): Promise<void> {
  const target = await sql
    .unsafe(`copy ${table} (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`)
    .writable();
  function* batches() {
    let chunk = '';
    let n = 0;
    for (const line of generate()) {
      chunk += line;
      n += 1;
      if (n === 2000) {
        yield chunk;
        chunk = '';
        n = 0;
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(batches()), target);
}

// ---------------------------------------------------------------- vocabulary

const FIRST = [
  'Aisha',
  'Alan',
  'Amelia',
  'Andrew',
  'Anita',
  'Ben',
  'Bethany',
  'Callum',
  'Chloe',
  'Connor',
  'Daniel',
  'Deborah',
  'Dev',
  'Eleanor',
  'Emily',
  'Fatima',
  'Gareth',
  'Grace',
  'Hannah',
  'Harry',
  'Imran',
  'Isla',
  'Jack',
  'Jasmine',
  'Jo',
  'Karen',
  'Kwame',
  'Laura',
  'Liam',
  'Lucy',
  'Mark',
  'Mei',
  'Mohammed',
  'Nadia',
  'Neil',
  'Olivia',
  'Oscar',
  'Priya',
  'Rachel',
  'Raj',
  'Rebecca',
  'Ryan',
  'Sam',
  'Sarah',
  'Sean',
  'Sophie',
  'Stephen',
  'Tom',
  'Wei',
  'Zoe',
];
const LAST = [
  'Ahmed',
  'Bailey',
  'Baker',
  'Begum',
  'Bell',
  'Brown',
  'Campbell',
  'Chen',
  'Clarke',
  'Davies',
  'Edwards',
  'Evans',
  'Green',
  'Hall',
  'Harris',
  'Hughes',
  'Hussain',
  'Jackson',
  'James',
  'Johnson',
  'Jones',
  'Khan',
  'King',
  'Kowalski',
  'Lewis',
  'Martin',
  'Mistry',
  'Moore',
  'Morgan',
  'Murphy',
  'Nowak',
  'Okafor',
  'Owen',
  'Patel',
  'Phillips',
  'Roberts',
  'Robinson',
  'Shah',
  'Singh',
  'Smith',
  'Taylor',
  'Thomas',
  'Thompson',
  'Turner',
  'Walker',
  'Ward',
  'White',
  'Williams',
  'Wilson',
  'Wright',
  'Young',
];
const STREETS = [
  'High Street',
  'Station Road',
  'Church Lane',
  'Victoria Road',
  'Park Avenue',
  'Mill Lane',
  'London Road',
  'The Green',
  'Queens Road',
  'Manor Close',
  'Chapel Street',
  'Kings Way',
];
const TOWNS = [
  'Leicester',
  'Loughborough',
  'Hinckley',
  'Melton Mowbray',
  'Market Harborough',
  'Coalville',
  'Oakham',
  'Lutterworth',
  'Wigston',
  'Oadby',
  'Ashby-de-la-Zouch',
  'Uppingham',
];
const POSTCODE_AREAS = [
  'LE1',
  'LE2',
  'LE3',
  'LE4',
  'LE5',
  'LE7',
  'LE8',
  'LE9',
  'LE10',
  'LE11',
  'LE12',
  'LE13',
  'LE15',
  'LE16',
  'LE17',
  'LE18',
  'LE65',
  'LE67',
];
const ORGS = [
  'Residents Association',
  'Neighbourhood Watch',
  'Community Trust',
  'Parish Council',
  'Tenants Group',
  'Youth Club',
  'Business Forum',
  'Victim Support Group',
];

// How often each type and channel arrives: bench data, keyed by the domain's own lists, so a
// type or channel added to db/schema/correspondence.ts fails to compile here until weighted.
const TYPE_WEIGHTS = {
  general: 30,
  complaint: 20,
  foi: 14,
  mp_enquiry: 10,
  sar: 8,
  suggestion: 7,
  compliment: 6,
  eir: 5,
} as const satisfies Record<CaseType, number>;
const TYPES = CASE_TYPES.map((type) => [type, TYPE_WEIGHTS[type]] as const);
/** MP enquiries come through an MP's office; nothing else does. */
const CHANNEL_WEIGHTS = {
  email: 45,
  web: 25,
  letter: 10,
  phone: 10,
  social: 5,
  in_person: 5,
  mp: 0,
} as const satisfies Record<CaseChannel, number>;
const CHANNELS = CASE_CHANNELS.map((channel) => [channel, CHANNEL_WEIGHTS[channel]] as const);
/** Where open cases stand; awaiting approval only for the types whose replies need it. */
const OPEN_STATUS_WEIGHTS = {
  new: 20,
  open: 50,
  awaiting_requester: 15,
  awaiting_approval: 15,
} as const satisfies Partial<Record<CaseStatus, number>>;
const OPEN_STATUS = OPEN_STATUSES.map(
  (status) => [status, OPEN_STATUS_WEIGHTS[status as keyof typeof OPEN_STATUS_WEIGHTS]] as const,
);
const SUBJECTS: Record<CaseType, string[]> = {
  general: [
    'Question about neighbourhood policing',
    'Speeding on our road',
    'Antisocial behaviour in the park',
    'Police station opening hours',
    'Community meeting request',
    'Drone use by the force',
    'Fly-tipping and police involvement',
    'Street lighting and crime',
    'Off-road bikes near the estate',
  ],
  complaint: [
    'Complaint about the handling of my report',
    'Officer conduct at a traffic stop',
    'No response to my 101 call',
    'Complaint about the Chief Constable',
    'Delay in returning my property',
    'Complaint about a data breach',
    'Rudeness at the front counter',
  ],
  foi: [
    'FOI: police officer numbers by area',
    'FOI: Commissioner expenses',
    'FOI: contracts over £25,000',
    'FOI: 101 call answering times',
    'FOI: grants to community groups',
    'FOI: estates strategy',
  ],
  eir: ['EIR: estate energy use', 'EIR: vehicle fleet emissions', 'EIR: new headquarters planning'],
  sar: ['Subject access request', 'Request for my personal data', 'SAR: correspondence about me'],
  mp_enquiry: [
    'MP enquiry on behalf of a constituent',
    'MP letter: rural crime',
    'MP enquiry: response times',
    'MP enquiry: knife crime funding',
  ],
  suggestion: [
    'Suggestion: more patrols at night',
    'Idea for the Police and Crime Plan',
    'Suggestion about the website',
  ],
  compliment: [
    'Thank you to the officers who helped',
    'Compliment for the victim support team',
    'Thanks for the quick response',
  ],
};
const SENTENCES = [
  'I am writing about something that happened near my home last month.',
  'I reported this before but have not heard anything back.',
  'Could you please let me know what the Commissioner is doing about it?',
  'Several neighbours have raised the same concern with me.',
  'I would be grateful for a reply by email.',
  'Please treat this as a formal request under the relevant legislation.',
  'The incident reference I was given is attached to my earlier message.',
  'It has been going on for several weeks, mostly in the evenings.',
  'I would like to understand how the decision was made.',
  'Thank you for your time and for the work your office does.',
];
const TOPICS = ['victims', 'offenders', 'communities', 'transformation'];

// ---------------------------------------------------------------- dates

const DAY = 86_400_000;
const HOUR = 3_600_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTs = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- the seed

interface StaffUser {
  id: string;
  role: 'caseworker' | 'manager';
  name: string;
}

/** A seeded case as the timers, clock events and timeline are written from it. */
interface CasePlan extends SeedCase {
  type: CaseType;
  channel: CaseChannel;
  status: CaseStatus;
  outcome: string | null;
  /** Closed without a reply. */
  early: boolean;
  assigneeName: string | null;
  /** The clock event named as the reason for waiting for the requester. */
  reason: string | null;
}

/** The case's timeline: created, assigned, and its last status change. */
function timelineOf(plan: CasePlan) {
  const received = plan.receivedAt.getTime();
  const events: Array<{
    at: number;
    actorId: string | null;
    kind: string;
    data: Record<string, unknown>;
  }> = [
    {
      at: received,
      actorId: null,
      kind: 'created',
      data: { type: plan.type, channel: plan.channel, reference: plan.reference },
    },
  ];
  const actorId = plan.assigneeId;
  if (actorId)
    events.push({
      at: received + HOUR,
      actorId,
      kind: 'assigned',
      data: { to: actorId, toName: plan.assigneeName, from: null, fromName: null },
    });
  const moved = (at: number, from: CaseStatus, data: Record<string, unknown> = {}) =>
    events.push({
      at,
      actorId,
      kind: 'status_changed',
      data: { from, to: plan.status, ...data },
    });
  if (plan.status === 'closed')
    moved(plan.closedAt!.getTime(), plan.early ? 'open' : 'responded', { outcome: plan.outcome });
  else if (plan.status === 'responded') moved(plan.respondedAt!.getTime(), 'open');
  else if (plan.status === 'awaiting_requester')
    moved(plan.event?.at.getTime() ?? received + 2 * HOUR, 'open', { reason: plan.reason });
  else if (plan.status !== 'new') moved(received + 2 * HOUR, 'new');
  return events;
}

export async function seed(databaseUrl: string, options: SeedOptions): Promise<SeedRecord> {
  const loadavgStart = (await import('node:os')).loadavg().map((n) => Math.round(n * 100) / 100);
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => undefined,
    connection: { TimeZone: 'UTC', statement_timeout: 0 },
  });
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const mark = (name: string, since: number) => {
    timings[name] = Math.round(performance.now() - since);
    log(`${name}: ${(timings[name] / 1000).toFixed(1)} s`);
  };
  let opened: SeedClock | undefined;
  try {
    const [existing] = await sql<[{ cases: number; contacts: number }]>`
      select (select count(*)::int from cases) as cases, (select count(*)::int from contacts) as contacts`;
    if (existing.cases > 0 || existing.contacts > 0) {
      throw new Error(
        `opcc_bench already has ${existing.cases} cases and ${existing.contacts} contacts; seed into an empty database (npm run bench:seed -- --fresh)`,
      );
    }
    // The bank holidays as the app loads them, and what the clock computes timers with.
    const clock = await openSeedClock(databaseUrl);
    opened = clock;
    const rng = prng(options.seed);
    const anchorMs = Date.parse(`${options.anchor}T00:00:00Z`);
    if (!Number.isFinite(anchorMs)) throw new Error(`--anchor ${options.anchor} is not a date`);
    const startMs = anchorMs - 3652 * DAY; // ten years

    // A real hash of a throw-away password: a sign-in attempt fails cleanly rather than erroring.
    const passwordHash = await argon2.hash(randomBytes(24).toString('base64'), {
      type: argon2.argon2id,
    });
    const staff: StaffUser[] = [];
    for (let i = 0; i < options.staff; i += 1) {
      staff.push({
        id: rng.uuid(),
        role: i % 5 === 4 ? 'manager' : 'caseworker',
        name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`,
      });
    }
    const contactIds: string[] = new Array<string>(options.contacts);
    const mpCount = Math.min(650, Math.max(1, Math.floor(options.contacts / 600)));
    const orgCount = Math.floor(options.contacts * 0.05);
    const counters = new Map<number, number>();
    let eventsWritten = 0;
    let timersWritten = 0;
    let stopsWritten = 0;
    let openCount = 0;
    let restrictedCount = 0;

    await sql.begin(async (tx) => {
      let t = performance.now();
      await copyInto(
        tx,
        'users',
        ['id', 'email', 'name', 'job_title', 'role', 'password_hash', 'created_at'],
        function* () {
          for (const [i, user] of staff.entries()) {
            yield row([
              user.id,
              `staff-${String(i + 1).padStart(2, '0')}@opcc.bench`,
              user.name,
              user.role === 'manager' ? 'Casework Manager' : 'Caseworker',
              user.role,
              passwordHash,
              isoTs(startMs),
            ]);
          }
        },
      );

      // Contacts: the first mpCount are MPs, the next orgCount organisations, the rest people.
      await copyInto(
        tx,
        'contacts',
        [
          'id',
          'kind',
          'name',
          'salutation',
          'email',
          'email_norm',
          'phone',
          'phone_e164',
          'address',
          'postcode',
          'postcode_norm',
          'created_at',
        ],
        function* () {
          for (let i = 0; i < options.contacts; i += 1) {
            const id = rng.uuid();
            contactIds[i] = id;
            const first = rng.pick(FIRST);
            const last = rng.pick(LAST);
            const kind = i < mpCount ? 'mp' : i < mpCount + orgCount ? 'organisation' : 'person';
            const town = rng.pick(TOWNS);
            const name =
              kind === 'mp'
                ? `${first} ${last} MP`
                : kind === 'organisation'
                  ? `${town} ${rng.pick(ORGS)}`
                  : `${first} ${last}`;
            const hasEmail = kind !== 'person' || rng.chance(0.8);
            const email = hasEmail
              ? kind === 'mp'
                ? `${first}.${last}.mp${i}@parliament.example`
                : `${first}.${last}${i}@example.org`
              : null;
            const hasPhone = rng.chance(0.5);
            const digits = String(rng.int(1000)).padStart(3, '0');
            const hasAddress = kind !== 'person' || rng.chance(0.6);
            const postcode = hasAddress
              ? `${rng.pick(POSTCODE_AREAS)} ${1 + rng.int(9)}${String.fromCharCode(65 + rng.int(26))}${String.fromCharCode(65 + rng.int(26))}`
              : null;
            yield row([
              id,
              kind,
              name,
              kind === 'person' && rng.chance(0.5)
                ? rng.pick(['Mr', 'Ms', 'Mrs', 'Dr', 'Mx'])
                : null,
              email,
              email?.toLowerCase() ?? null,
              hasPhone ? `07700 900${digits}` : null,
              hasPhone ? `+447700900${digits}` : null,
              hasAddress ? `${1 + rng.int(200)} ${rng.pick(STREETS)}, ${town}` : null,
              postcode,
              postcode?.replace(/\s+/g, '') ?? null,
              isoTs(startMs + rng.int(3652) * DAY),
            ]);
          }
        },
      );
      mark('contacts', t);

      // Cases in order of receipt, so each year's references count up with time. Each case's
      // state is kept (compactly) for the timers, clock events and timeline written after it.
      t = performance.now();
      const plans: CasePlan[] = [];
      const stops: CasePlan[] = [];
      const span = anchorMs - startMs - DAY; // the last receipt is yesterday
      const caseworkers = staff.filter((s) => s.role === 'caseworker');
      await copyInto(
        tx,
        'cases',
        [
          'id',
          'reference',
          'type',
          'subtype',
          'channel',
          'received_at',
          'received_on',
          'contact_id',
          'on_behalf_of_id',
          'subject',
          'body',
          'status',
          'outcome',
          'assignee_id',
          'version',
          'next_due_on',
          'topics',
          'tags',
          'restricted',
          'acknowledged_at',
          'responded_at',
          'closed_at',
          'flags',
          'created_at',
          'updated_at',
        ],
        function* () {
          for (let i = 0; i < options.cases; i += 1) {
            const id = rng.uuid();
            const dayMs =
              startMs + Math.floor(((i + rng.float()) * span) / options.cases / DAY) * DAY;
            const receivedAt = dayMs + 8 * HOUR + rng.int(9 * HOUR);
            // Receipt times are 08:00-17:00 UTC, so the UTC and London dates agree.
            const receivedOn = isoDate(dayMs);
            const year = new Date(dayMs).getUTCFullYear();
            const number = (counters.get(year) ?? 0) + 1;
            counters.set(year, number);
            const reference = `OPCC-${year}-${String(number).padStart(5, '0')}`;
            const type: CaseType = rng.weighted(TYPES);
            const channel: CaseChannel = type === 'mp_enquiry' ? 'mp' : rng.weighted(CHANNELS);
            const ageDays = (anchorMs - dayMs) / DAY;
            const pOpen =
              ageDays <= 30 ? 0.95 : ageDays <= 180 ? 0.6 : ageDays <= 365 ? 0.15 : 0.01;
            const open = rng.chance(pOpen);
            let status: CaseStatus = open
              ? rng.weighted(OPEN_STATUS)
              : rng.chance(0.1)
                ? 'responded'
                : 'closed';
            // Only the types whose replies need approval ever wait for it (the workflow's moves).
            if (status === 'awaiting_approval' && !findMove(type, 'open', status)) status = 'open';
            if (open) openCount += 1;
            const restricted = rng.chance(0.02);
            if (restricted) restrictedCount += 1;
            const assigned = status === 'new' ? rng.chance(0.2) : open ? rng.chance(0.85) : true;
            const assignee = assigned ? rng.pick(rng.chance(0.9) ? caseworkers : staff) : null;
            let contactId: string | null = null;
            let onBehalfOf: string | null = null;
            if (type === 'mp_enquiry') {
              contactId = contactIds[rng.int(mpCount)]!;
              onBehalfOf = contactIds[mpCount + rng.int(options.contacts - mpCount)]!;
            } else if (rng.chance(0.97)) {
              // A skew towards a minority of frequent correspondents.
              const r = rng.float();
              contactId = contactIds[mpCount + Math.floor(r * r * (options.contacts - mpCount))]!;
            }
            const subtype =
              type === 'complaint' ? rng.pick(CASE_SUBTYPES) : (null as CaseSubtype | null);
            // Closed without a reply (the early outcomes) or after one (the type's outcomes).
            const early = status === 'closed' && rng.chance(0.1);
            const respondedMs =
              open || early
                ? null
                : Math.min(anchorMs - HOUR, receivedAt + (5 + rng.int(30)) * DAY);
            const closedMs =
              status !== 'closed'
                ? null
                : early
                  ? Math.min(anchorMs - HOUR, receivedAt + (1 + rng.int(10)) * DAY)
                  : Math.min(anchorMs - HOUR / 2, respondedMs! + rng.int(10) * DAY);
            const outcome =
              status !== 'closed'
                ? null
                : early
                  ? rng.pick(EARLY_CLOSE_OUTCOMES)
                  : rng.pick(replyOutcomes(type));
            const acknowledged =
              channel === 'email' || channel === 'web' ? receivedAt + 60_000 : null;
            const plan: CasePlan = {
              id,
              reference,
              type,
              subtype,
              channel,
              receivedOn,
              receivedAt: new Date(receivedAt),
              status,
              outcome,
              early,
              respondedAt: respondedMs === null ? null : new Date(respondedMs),
              closedAt: closedMs === null ? null : new Date(closedMs),
              acknowledgedAt: acknowledged === null ? null : new Date(acknowledged),
              assigneeId: assignee?.id ?? null,
              assigneeName: assignee?.name ?? null,
              contactId,
              nextDueOn: null,
              event: null,
              reason: null,
            };
            if (status === 'awaiting_requester') {
              // Waiting for the requester: through the clock where the case's regime takes
              // one of the events that lead there (it stops the clock), else a workflow move
              // giving the event as its reason (the clock runs on).
              const kind = rng.pick(AWAITING_REASONS);
              const event: SeedClockEvent = {
                kind,
                at: new Date(Math.min(anchorMs - HOUR, receivedAt + (1 + rng.int(5)) * DAY)),
                data: { reason: 'The request does not say which records are wanted' },
              };
              plan.reason = kind;
              if (!clock.refuses(plan, event, options.anchor)) {
                plan.event = event;
                stops.push(plan);
              }
            }
            // What the clock stores as the case's due date (its effective main deadline).
            plan.nextDueOn = clock.compute(plan).effectiveDueDate;
            plans.push(plan);
            const topicCount = rng.int(3);
            const topics =
              topicCount === 0 ? [] : topicCount === 1 ? [rng.pick(TOPICS)] : TOPICS.slice(0, 2);
            const sentences = 1 + rng.int(3);
            let body = '';
            for (let s = 0; s < sentences; s += 1) body += (s ? ' ' : '') + rng.pick(SENTENCES);
            const version = 1 + (assigned ? 1 : 0) + (open ? (status === 'new' ? 0 : 1) : 2);
            const updatedMs = closedMs ?? respondedMs ?? receivedAt + (assigned ? HOUR : 0);

            yield row([
              id,
              reference,
              type,
              subtype,
              channel,
              isoTs(receivedAt),
              receivedOn,
              contactId,
              onBehalfOf,
              rng.pick(SUBJECTS[type]),
              body,
              status,
              outcome,
              assignee?.id ?? null,
              version,
              plan.nextDueOn,
              textArray(topics),
              '{}',
              restricted,
              acknowledged === null ? null : isoTs(acknowledged),
              respondedMs === null ? null : isoTs(respondedMs),
              closedMs === null ? null : isoTs(closedMs),
              open && rng.chance(0.02) ? '{automated_reply}' : '{}',
              isoTs(receivedAt),
              isoTs(updatedMs),
            ]);
          }
        },
      );
      mark('cases', t);

      t = performance.now();
      await tx`insert into case_reference_counters (year, last) select * from unnest(${[...counters.keys()]}::int[], ${[...counters.values()]}::int[])`;

      // The clock events that stopped a clock, then every case's timers as the clock stored them.
      await copyInto(
        tx,
        'clock_events',
        [
          'subject_type',
          'subject_id',
          'kind',
          'at',
          'occurred_on',
          'data',
          'actor_id',
          'recorded_at',
        ],
        function* () {
          for (const plan of stops) {
            const event = plan.event!;
            stopsWritten += 1;
            yield row([
              'case',
              plan.id,
              event.kind,
              event.at.toISOString(),
              londonDateOf(event.at),
              JSON.stringify(event.data),
              plan.assigneeId,
              event.at.toISOString(),
            ]);
          }
        },
      );
      await copyInto(
        tx,
        'case_deadlines',
        TIMER_COLUMNS.map((c) => c.name),
        function* () {
          for (const plan of plans) {
            for (const timer of clock.timerRows(plan, rng.uuid)) {
              timersWritten += 1;
              yield row(TIMER_COLUMNS.map((c) => copyValue(timer[c.key])));
            }
          }
        },
      );
      mark('case_deadlines', t);

      // The timeline: about 3 events a case, capped at options.events (0: none).
      t = performance.now();
      const target = options.events;
      if (target > 0) {
        await copyInto(
          tx,
          'case_events',
          ['case_id', 'at', 'actor_id', 'kind', 'data'],
          function* () {
            // Newest first: when the budget runs out, the oldest cases are the ones without a timeline.
            for (let i = plans.length - 1; i >= 0 && eventsWritten < target; i -= 1) {
              for (const event of timelineOf(plans[i]!)) {
                if (eventsWritten >= target) break;
                eventsWritten += 1;
                yield row([
                  plans[i]!.id,
                  isoTs(event.at),
                  event.actorId,
                  event.kind,
                  JSON.stringify(event.data),
                ]);
              }
            }
          },
        );
      }
      mark('case_events', t);
    });

    let t = performance.now();
    await sql`vacuum analyze`;
    mark('vacuumAnalyze', t);
    timings.total = Math.round(performance.now() - t0);

    const counts = {
      cases: options.cases,
      openCases: openCount,
      restrictedCases: restrictedCount,
      contacts: options.contacts,
      caseEvents: eventsWritten,
      timers: timersWritten,
      clockEvents: stopsWritten,
      calendarVersion: clock.calendarVersion,
      staff: options.staff,
      referenceYears: counters.size,
    };
    const record: SeedRecord = {
      options,
      counts,
      timings,
      seededAt: new Date().toISOString(),
      host: {
        loadavgStart,
        loadavgEnd: (await import('node:os')).loadavg().map((n) => Math.round(n * 100) / 100),
      },
    };
    t = performance.now();
    await sql`create table if not exists bench_seed (id int primary key, record jsonb not null)`;
    await sql`insert into bench_seed (id, record) values (1, ${sql.json(record as unknown as postgres.JSONValue)})
      on conflict (id) do update set record = excluded.record`;
    log(
      `seeded ${counts.cases.toLocaleString('en-GB')} cases (${openCount.toLocaleString('en-GB')} open, ${restrictedCount.toLocaleString('en-GB')} restricted), ${counts.contacts.toLocaleString('en-GB')} contacts, ${eventsWritten.toLocaleString('en-GB')} case events in ${(timings.total / 1000).toFixed(1)} s`,
    );
    return record;
  } finally {
    await opened?.close();
    await sql.end({ timeout: 5 });
  }
}

/** The seed record of the bench database, or null when it has not been seeded. */
export async function seedRecord(databaseUrl: string): Promise<SeedRecord | null> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [table] = await sql`select to_regclass('bench_seed') as t`;
    if (!table?.t) return null;
    const [found] = await sql<
      Array<{ record: SeedRecord }>
    >`select record from bench_seed where id = 1`;
    return found?.record ?? null;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function parseSeedArgs(args: string[]): { options: SeedOptions; fresh: boolean } {
  const { values } = parseArgs({
    args,
    options: {
      cases: { type: 'string' },
      contacts: { type: 'string' },
      events: { type: 'string' },
      anchor: { type: 'string' },
      fresh: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const count = (value: string | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
    return n;
  };
  const options: SeedOptions = {
    ...DEFAULT_SEED,
    cases: count(values.cases, DEFAULT_SEED.cases, 'cases'),
    contacts: count(values.contacts, DEFAULT_SEED.contacts, 'contacts'),
    events: count(values.events, DEFAULT_SEED.events, 'events'),
    anchor: values.anchor ?? new Date().toISOString().slice(0, 10),
  };
  if (options.cases < 1 || options.contacts < 700)
    throw new Error('--cases must be at least 1 and --contacts at least 700');
  return { options, fresh: values.fresh };
}

/** Creates and migrates the bench database, then seeds it (the `npm run bench:seed` path). */
export async function prepareAndSeed(
  databaseUrl: string,
  options: SeedOptions,
  fresh: boolean,
): Promise<SeedRecord> {
  await ensureDatabase(databaseUrl, fresh);
  await runMigrations(databaseUrl);
  return seed(databaseUrl, options);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { options, fresh } = parseSeedArgs(process.argv.slice(2));
  prepareAndSeed(process.env.DATABASE_URL || BENCH_DATABASE_URL, options, fresh)
    .then((record) => process.stdout.write(`${JSON.stringify(record)}\n`))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
