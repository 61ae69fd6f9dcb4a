import type { ContactInput } from '../contacts/gateway.js';
import type { AuditEntry } from '../platform/audit.js';
import { validationError, type FieldErrors } from '../platform/errors.js';
import type { CaseFilters } from './repository.js';
import type { NewCaseInput } from './types.js';
import { CASE_CHANNELS, CASE_SUBTYPES, CASE_TYPES } from './workflow.js';
import { isUuid } from '../lib/uuid.js';

export const LIMITS = { subject: 200, body: 20_000, name: 200, email: 254, reason: 2_000 };
/** Tags: up to 50 characters each, 20 on a case, 10 added at once. */
export const TAG_LIMITS = { length: 50, perCase: 20, perRequest: 10 };
export const MAX_PAGE = 200;
export const MAX_BULK = 200;

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we look for
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
export const oneLine = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** A tag as stored and matched: trimmed, single-spaced, lower case. */
export const normaliseTag = (tag: string) => tag.trim().replace(/\s+/g, ' ').toLowerCase();

/** The distinct, normalised tags of a request, or the field problem with them. */
export function parseTags(values: readonly string[]): { tags: string[] } | { error: string } {
  const tags = [...new Set(values.map(normaliseTag).filter(Boolean))];
  if (tags.length === 0) return { error: 'Enter at least one tag' };
  if (tags.length > TAG_LIMITS.perRequest)
    return { error: `Enter ${TAG_LIMITS.perRequest} tags or fewer` };
  const long = tags.find((tag) => tag.length > TAG_LIMITS.length);
  if (long) return { error: `Each tag must be ${TAG_LIMITS.length} characters or fewer` };
  if (tags.some((tag) => CONTROL.test(tag)))
    return { error: 'Tags must not contain control characters' };
  return { tags };
}

const EARLIEST_FILTER_DATE = '1900-01-01';

/** The queue filters' own rule: a date range must not end before it starts. */
export function filterProblems(filters: CaseFilters): FieldErrors {
  const fields: FieldErrors = {};
  // The schema's `date` format allows year 0000, which PostgreSQL refuses: same bound as the page.
  if (filters.receivedFrom && filters.receivedFrom < EARLIEST_FILTER_DATE)
    fields.receivedFrom = "'Received from' must be a real date, like 2026-11-01";
  if (filters.receivedTo && filters.receivedTo < EARLIEST_FILTER_DATE)
    fields.receivedTo = "'Received to' must be a real date, like 2026-11-30";
  if (filters.receivedFrom && filters.receivedTo && filters.receivedTo < filters.receivedFrom)
    fields.receivedTo = "'Received to' must be the same as or after 'Received from'";
  return fields;
}

/** Checks a list's filters; tags are matched as stored (normalised). */
/** The audit of a queue read (a search says so). */
export function listReadAudit(filters: CaseFilters): AuditEntry {
  return { action: 'case.list', subjectType: 'case', justification: filters.q ? 'search' : null };
}

/** Checks a list's filters; tags are matched as stored (normalised). */
export function checkFilters(filters: CaseFilters): CaseFilters {
  const fields = filterProblems(filters);
  if (Object.keys(fields).length > 0) throw validationError(fields);
  if (!filters.tag) return filters;
  return { ...filters, tag: [...new Set(filters.tag.map(normaliseTag).filter(Boolean))] };
}

function checkContact(input: ContactInput, prefix: string, fields: FieldErrors) {
  const name = input.name?.trim() ?? '';
  if (!name) fields[`${prefix}.name`] = 'Enter the name of the person or organisation';
  else if (name.length > LIMITS.name)
    fields[`${prefix}.name`] = `Name must be ${LIMITS.name} characters or fewer`;
  else if (CONTROL.test(name))
    fields[`${prefix}.name`] = 'Name must not contain control characters';
  const email = input.email?.trim();
  if (email && (email.length > LIMITS.email || !EMAIL.test(email)))
    fields[`${prefix}.email`] =
      'Enter an email address in the correct format, like name@example.org';
  const phone = input.phone?.trim();
  if (phone && !/^[+\d][\d\s().-]{4,30}$/.test(phone))
    fields[`${prefix}.phone`] = 'Enter a telephone number, like 01632 960 001 or +44 7700 900 982';
  if ((input.postcode?.length ?? 0) > 20)
    fields[`${prefix}.postcode`] = 'Postcode must be 20 characters or fewer';
  if ((input.address?.length ?? 0) > 1000)
    fields[`${prefix}.address`] = 'Address must be 1,000 characters or fewer';
}

/** Every field problem of a new case at once (for the GOV.UK error summary). */
export function newCaseProblems(input: NewCaseInput, now: Date): FieldErrors {
  const fields: FieldErrors = {};
  if (!CASE_TYPES.includes(input.type)) fields.type = 'Select the type of correspondence';
  if (input.subtype && (input.type !== 'complaint' || !CASE_SUBTYPES.includes(input.subtype)))
    fields.subtype = 'Only complaints have a subtype: service, staff or data protection';
  if (!CASE_CHANNELS.includes(input.channel)) fields.channel = 'Select how it arrived';
  const subject = input.subject?.trim() ?? '';
  if (!subject) fields.subject = 'Enter a subject';
  else if (subject.length > LIMITS.subject)
    fields.subject = `Subject must be ${LIMITS.subject} characters or fewer`;
  if (!input.body?.trim()) fields.body = 'Enter the text of the correspondence';
  else if (input.body.length > LIMITS.body)
    fields.body = `The text must be ${LIMITS.body.toLocaleString('en-GB')} characters or fewer`;
  const receivedAt = new Date(input.receivedAt);
  if (Number.isNaN(receivedAt.getTime())) fields.receivedAt = 'Enter the date it was received';
  else if (receivedAt.getTime() > now.getTime())
    fields.receivedAt = 'The date received must be today or in the past';
  else if (receivedAt.getUTCFullYear() < 2000)
    fields.receivedAt = 'The date received must be after 2000';
  if (input.contact) checkContact(input.contact, 'contact', fields);
  if (input.onBehalfOf) checkContact(input.onBehalfOf, 'onBehalfOf', fields);
  if (input.contactId && !isUuid(input.contactId)) fields.contactId = 'Select a contact';
  if (input.source && (!input.source.type || !input.source.id))
    fields.source = 'A source needs a type and an id';
  return fields;
}

export function checkNewCase(input: NewCaseInput, now: Date): { receivedAt: Date } {
  const fields = newCaseProblems(input, now);
  if (Object.keys(fields).length > 0) throw validationError(fields);
  return { receivedAt: new Date(input.receivedAt) };
}
