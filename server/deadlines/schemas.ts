import { Type } from '@sinclair/typebox';
import { FormField as S, Nullable, StaffForm } from '../platform/schemas.js';

export const VoidEventBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

const Skipped = Type.Array(Type.Object({ date: Type.String(), reason: Type.String() }));

export const DeadlineDetailSchema = Type.Object(
  {
    kind: Type.String(),
    label: Type.String(),
    calendar: Type.String(),
    rule: Type.String(),
    ruleVersion: Type.String(),
    calendarVersion: Type.Integer(),
    generation: Type.Integer(),
    startDate: Nullable(Type.String()),
    startRule: Type.String(),
    dueDate: Nullable(Type.String()),
    baseDueDate: Nullable(Type.String()),
    extendedDueDate: Nullable(Type.String()),
    effectiveDueDate: Nullable(Type.String()),
    skipped: Skipped,
    notes: Type.Array(Type.String()),
    stopped: Type.Boolean(),
    completedOn: Nullable(Type.String()),
    coverageIncomplete: Type.Boolean(),
    overdueFrom: Nullable(Type.String()),
  },
  { additionalProperties: true },
);

/** docs/rules/api.md: `{ dueDate, extendedDueDate?, calendar, skipped }` plus the working. */
export const DeadlineViewSchema = Type.Object(
  {
    dueDate: Nullable(Type.String()),
    extendedDueDate: Nullable(Type.String()),
    calendar: Type.String(),
    skipped: Skipped,
    kind: Type.String(),
    receivedOn: Type.String(),
    baseDueDate: Nullable(Type.String()),
    effectiveDueDate: Nullable(Type.String()),
    startDate: Nullable(Type.String()),
    startRule: Type.String(),
    ruleVersion: Type.String(),
    calendarVersion: Type.Integer(),
    coverageIncomplete: Type.Boolean(),
    stopped: Type.Boolean(),
    stoppedReason: Nullable(Type.String()),
    completed: Type.Boolean(),
    overdueFrom: Nullable(Type.String()),
    deadlines: Type.Array(DeadlineDetailSchema),
  },
  { additionalProperties: true },
);

export const RecordedEventSchema = Type.Object({
  event: Type.Object({
    id: Type.Integer(),
    kind: Type.String(),
    at: Type.String(),
    occurredOn: Type.String(),
  }),
  caseId: Type.String(),
  status: Type.String(),
  dueDate: Nullable(Type.String()),
  deadline: DeadlineViewSchema,
});

export const SubjectIdParams = Type.Object(
  { id: Type.String({ format: 'uuid', maxLength: 36 }) },
  { additionalProperties: false },
);
export const CaseEventParams = Type.Object(
  {
    id: Type.String({ format: 'uuid', maxLength: 36 }),
    eventId: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

// ---- Forms (strings; the service gives the messages) ----------------------------------

/** A GOV.UK date input's three boxes: `<prefix>-day`, `<prefix>-month` and `<prefix>-year`. */
const DateInput = <P extends string>(prefix: P) =>
  ({ [`${prefix}-day`]: S(4), [`${prefix}-month`]: S(4), [`${prefix}-year`]: S(6) }) as Record<
    `${P}-${'day' | 'month' | 'year'}`,
    ReturnType<typeof S>
  >;

export const EventForm = StaffForm({
  kind: S(40),
  ...DateInput('at'),
  reason: S(2000),
  amount: S(6),
  extensionKind: S(20),
  ...DateInput('date'),
  note: S(2000),
  confirmLate: S(5),
});

export const CalculatorQuery = Type.Object(
  {
    type: S(20),
    ...DateInput('received'),
    calendar: S(20),
  },
  { additionalProperties: false },
);

export const HolidayForm = StaffForm({
  division: S(30),
  ...DateInput('date'),
  title: S(200),
});

export const RemovalForm = StaffForm({
  division: Type.String({ maxLength: 30 }),
  date: Type.String({ maxLength: 10 }),
});

export const PolicyForm = StaffForm({
  caseType: Type.String({ maxLength: 20 }),
  kind: Type.String({ maxLength: 20 }),
  amount: S(6),
  warnWdBefore: S(6),
  escalateWdAfter: S(6),
});
