import { Type } from '@sinclair/typebox';
import { ACTIONS, ALL_TARGETS, CHANNELS, MANDATORY_CRITERIA, OUTCOMES } from './machine.js';
import { TEMPLATE_KEYS } from './letters.js';
import { GROUP_BYS } from './stats.js';
import { Uuid, LiteralUnion } from '../platform/schemas.js';
export { IdParams } from '../platform/schemas.js';

/** An instant or a plain date (a London day), as everywhere in the API. */
const Moment = Type.String({ minLength: 10, maxLength: 40 });
const DateOnly = Type.String({ format: 'date', maxLength: 10 });
const Code = Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9_]+$' });
const Stream = LiteralUnion(['cc', 'review', 'opcc'] as const);

export const ComplainantBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
    address: Type.Optional(Type.String({ maxLength: 1000 })),
    postcode: Type.Optional(Type.String({ maxLength: 20 })),
    basis: Type.Optional(
      LiteralUnion([
        'person_concerned',
        'adversely_affected',
        'witness',
        'representative',
      ] as const),
    ),
    consent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const EqualityValue = Type.Optional(Type.Union([Type.String({ maxLength: 60 }), Type.Null()]));
export const EqualityBody = Type.Object(
  {
    ageBand: EqualityValue,
    sex: EqualityValue,
    ethnicity: EqualityValue,
    disability: EqualityValue,
    religion: EqualityValue,
    sexualOrientation: EqualityValue,
  },
  { additionalProperties: false },
);

export const AllegationBody = Type.Object(
  {
    category: Code,
    subcategory: Type.Optional(Code),
    description: Type.String({ minLength: 1, maxLength: 5000 }),
    factors: Type.Optional(Type.Array(Code, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export const CreateComplaintBody = Type.Object(
  {
    receivedAt: Moment,
    madeOn: Type.Optional(DateOnly),
    stream: Type.Optional(Stream),
    channel: Type.Optional(LiteralUnion(CHANNELS)),
    subjectKind: Type.Optional(LiteralUnion(['chief_constable', 'acting_cc'] as const)),
    complainant: ComplainantBody,
    summary: Type.String({ minLength: 1, maxLength: 10_000 }),
    allegations: Type.Array(AllegationBody, { maxItems: 50 }),
    subcategory: Type.Optional(Code),
    factors: Type.Optional(Type.Array(Code, { maxItems: 20 })),
    recordingRequested: Type.Optional(Type.Boolean()),
    criteria: Type.Optional(Type.Array(LiteralUnion(MANDATORY_CRITERIA), { maxItems: 4 })),
    equality: Type.Optional(EqualityBody),
    assigneeId: Type.Optional(Uuid),
    review: Type.Optional(
      Type.Object(
        {
          forceReference: Type.String({ minLength: 1, maxLength: 60 }),
          infoGivenOn: DateOnly,
          appliedOn: DateOnly,
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CreatedComplaint = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  status: Type.String(),
});

export const TransitionBody = Type.Object(
  {
    to: LiteralUnion(ALL_TARGETS as unknown as readonly string[]),
    at: Moment,
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    decisionMaker: Type.Optional(Type.String({ maxLength: 200 })),
    referral: Type.Optional(Type.Literal('not_referable')),
    investigator: Type.Optional(Type.String({ maxLength: 200 })),
    independence: Type.Optional(Type.String({ maxLength: 2000 })),
    confirmed: Type.Optional(Type.Boolean()),
    outcome: Type.Optional(
      Type.Object(
        {
          allegations: Type.Array(
            Type.Object(
              {
                id: Uuid,
                outcome: LiteralUnion(OUTCOMES),
                actions: Type.Optional(Type.Array(LiteralUnion(ACTIONS), { maxItems: 5 })),
                actionOther: Type.Optional(Type.String({ maxLength: 500 })),
              },
              { additionalProperties: false },
            ),
            { maxItems: 50 },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    reg41: Type.Optional(
      Type.Object(
        {
          letterOn: DateOnly,
          reply: LiteralUnion(['refused', 'no_reply'] as const),
          conductDecision: Type.String({ minLength: 1, maxLength: 2000 }),
        },
        { additionalProperties: false },
      ),
    ),
    review: Type.Optional(
      Type.Object(
        {
          result: Type.Optional(LiteralUnion(['upheld', 'not_upheld'] as const)),
          recommendations: Type.Optional(Type.String({ maxLength: 5000 })),
          accepted: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const TransitionResult = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  status: Type.String(),
  suspended: Type.Boolean(),
  version: Type.Integer(),
});

export const DetailQuery = Type.Object(
  { justification: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ maxLength: 40 })),
    stream: Type.Optional(Stream),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const LetterBody = Type.Object(
  {
    template: LiteralUnion(TEMPLATE_KEYS),
    channel: LiteralUnion(['email', 'post'] as const),
    at: Type.Optional(Moment),
    withheld: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const ContactBody = Type.Object(
  {
    kind: LiteralUnion(['first_contact', 'update', 'report', 'other'] as const),
    channel: LiteralUnion(['phone', 'in_person', 'email', 'post'] as const),
    at: Type.Optional(Moment),
    note: Type.Optional(Type.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);

export const AccessBody = Type.Object(
  {
    userId: Uuid,
    role: Type.Optional(LiteralUnion(['staff', 'decision_maker', 'assignee'] as const)),
  },
  { additionalProperties: false },
);

export const LegalHoldBody = Type.Object(
  { hold: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const StatsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 10 })),
    to: Type.Optional(Type.String({ maxLength: 10 })),
    groupBy: Type.Optional(LiteralUnion(GROUP_BYS)),
    stream: Type.Optional(Stream),
  },
  { additionalProperties: false },
);

export const CategoryBody = Type.Object(
  {
    code: Code,
    label: Type.String({ minLength: 1, maxLength: 200 }),
    parent: Type.Optional(Code),
  },
  { additionalProperties: false },
);
export const FactorBody = Type.Object(
  { code: Code, label: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const EntryUpdateBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    confirmed: Type.Optional(Type.Boolean()),
    retire: Type.Optional(Type.Boolean()),
    validTo: Type.Optional(Type.Union([DateOnly, Type.Null()])),
  },
  { additionalProperties: false },
);
export const EntryParams = Type.Object(
  { kind: LiteralUnion(['categories', 'factors'] as const), code: Code },
  { additionalProperties: false },
);

export const TemplateKeyParams = Type.Object({ key: Code }, { additionalProperties: false });
export const TemplateBody = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
);

export const FigureBody = Type.Object(
  {
    period: Type.String({ minLength: 1, maxLength: 40 }),
    measure: Type.String({ minLength: 1, maxLength: 100 }),
    force: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    msf: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    national: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);
