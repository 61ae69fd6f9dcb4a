/**
 * What correspondence's clock routes and the deadline calculator take as JSON: a case's
 * clock events, in correspondence's own names (its case types, subtypes, clock events,
 * extension kinds and deadline kinds). app.ts hands the calculator's body to the clock's
 * routes (deadlines/routes.ts), which name no case type of their own.
 */
import { Type } from '@sinclair/typebox';
import {
  COMPLAINT_SUBTYPES as CASE_SUBTYPES,
  RULE_CASE_TYPES as CASE_TYPES,
} from '../lib/deadline-rules.js';
import { CLOCK_EVENT_KINDS } from '../lib/deadline-rules.js';
import { StringEnum } from '../platform/schemas.js';

/** A `YYYY-MM-DD` date or an ISO instant (its Europe/London date counts). */
const DateOrInstant = Type.String({ minLength: 10, maxLength: 40 });

export const ClockEventData = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    kind: Type.Optional(StringEnum(['pit', 'reg7', 'sar_complex', 'target'] as const)),
    amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    date: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
    deadline: Type.Optional(
      StringEnum(['statutory', 'acknowledge', 'respond', 'review', 'dp_ack'] as const),
    ),
    outcome: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const RecordEventBody = Type.Object(
  {
    kind: StringEnum(CLOCK_EVENT_KINDS),
    at: DateOrInstant,
    data: Type.Optional(ClockEventData),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    confirmLate: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const CalculateBody = Type.Object(
  {
    type: StringEnum(CASE_TYPES),
    subtype: Type.Optional(StringEnum(CASE_SUBTYPES)),
    receivedAt: DateOrInstant,
    events: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: StringEnum(CLOCK_EVENT_KINDS),
            at: DateOrInstant,
            data: Type.Optional(ClockEventData),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
    calendar: Type.Optional(StringEnum(['statutory', 'england_wales'] as const)),
  },
  { additionalProperties: false },
);
