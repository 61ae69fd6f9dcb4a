/**
 * What a person gives when booking (or joining the waiting list), checked the way the GOV.UK
 * pages word it. Names end up in mail headers and calendar files: a line break in one is
 * refused, not silently mended.
 */
import { createHash } from 'node:crypto';
import type { FieldErrors } from '../platform/errors.js';

/** Districts of Cambridgeshire and Peterborough, as the area radios offer them. */
export const AREAS = [
  'cambridge',
  'east-cambridgeshire',
  'fenland',
  'huntingdonshire',
  'peterborough',
  'south-cambridgeshire',
] as const;
export const AREA_LABELS: Record<string, string> = {
  cambridge: 'Cambridge',
  'east-cambridgeshire': 'East Cambridgeshire',
  fenland: 'Fenland',
  huntingdonshire: 'Huntingdonshire',
  peterborough: 'Peterborough',
  'south-cambridgeshire': 'South Cambridgeshire',
  elsewhere: 'Somewhere else',
};

/** The correspondence topic list (Police and Crime Plan themes), plus "something else". */
export const TOPICS = ['victims', 'offenders', 'communities', 'transformation', 'other'] as const;
export const TOPIC_LABELS: Record<string, string> = {
  victims: 'Victims of crime',
  offenders: 'Offenders',
  communities: 'Safer communities',
  transformation: 'How the police work (transformation)',
  other: 'Something else',
};

/** GOV.UK radio items for the area question (the districts, then "somewhere else"). */
export const areaItems = (chosen?: string) =>
  [...AREAS, 'elsewhere'].map((value) => ({
    value,
    text: AREA_LABELS[value],
    checked: chosen === value,
  }));
/** GOV.UK radio items for the topic question. */
export const topicItems = (chosen?: string) =>
  TOPICS.map((value) => ({ value, text: TOPIC_LABELS[value], checked: chosen === value }));

export const PERSON_LIMITS = {
  name: 200,
  email: 254,
  phone: 40,
  topicDetail: 500,
  adjustments: 500,
};

export interface PersonInput {
  name?: string;
  email?: string;
  phone?: string;
  area?: string;
  topic?: string;
  topicDetail?: string;
  adjustments?: string;
}

export interface Person {
  name: string;
  email: string;
  phone: string | null;
  area: string | null;
  topic: string | null;
  topicDetail: string | null;
  adjustments: string | null;
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
const PHONE = /^[+\d][\d\s().-]{4,30}$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- PostgreSQL text cannot hold NUL
const NUL = /\u0000/g;

const clean = (value: string | undefined) => (value ?? '').replace(NUL, '').trim();

/** Every problem at once, in page order; nothing is changed behind the person's back. */
export function personProblems(input: PersonInput, opts: { requireArea: boolean }): FieldErrors {
  const fields: FieldErrors = {};
  const name = clean(input.name);
  if (!name) fields.name = 'Enter your full name';
  else if (/[\r\n]/.test(name)) fields.name = 'Full name must be on one line';
  else if (CONTROL.test(name))
    fields.name = 'Full name must only include letters, spaces and punctuation';
  else if (name.length > PERSON_LIMITS.name)
    fields.name = `Full name must be ${PERSON_LIMITS.name} characters or fewer`;
  const email = clean(input.email);
  if (!email) fields.email = 'Enter your email address';
  else if (email.length > PERSON_LIMITS.email || !EMAIL.test(email))
    fields.email = 'Enter an email address in the correct format, like name@example.com';
  const phone = clean(input.phone);
  if (phone && (phone.length > PERSON_LIMITS.phone || !PHONE.test(phone)))
    fields.phone =
      'Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192';
  const area = clean(input.area);
  if (!area) {
    if (opts.requireArea) fields.area = 'Select where you live';
  } else if (!Object.hasOwn(AREA_LABELS, area)) fields.area = 'Select where you live';
  const topic = clean(input.topic);
  if (topic && !(TOPICS as readonly string[]).includes(topic))
    fields.topic = 'Select what you would like to talk about';
  if (clean(input.topicDetail).length > PERSON_LIMITS.topicDetail)
    fields.topicDetail = `Details must be ${PERSON_LIMITS.topicDetail} characters or fewer`;
  if (clean(input.adjustments).length > PERSON_LIMITS.adjustments)
    fields.adjustments = `Adjustments must be ${PERSON_LIMITS.adjustments} characters or fewer`;
  return fields;
}

export function normalisePerson(input: PersonInput): Person {
  const optional = (value: string | undefined) => clean(value).replace(/\r\n?/g, '\n') || null;
  return {
    name: clean(input.name),
    email: clean(input.email),
    phone: optional(input.phone),
    area: optional(input.area),
    topic: optional(input.topic),
    topicDetail: optional(input.topicDetail),
    adjustments: optional(input.adjustments),
  };
}

/** The fingerprint stored with an idempotency key: the same key must mean the same booking. */
export function requestHash(slotId: string, person: Person): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        slotId,
        person.name,
        person.email.toLowerCase(),
        person.phone,
        person.area,
        person.topic,
        person.topicDetail,
        person.adjustments,
      ]),
    )
    .digest('hex');
}
