import { Type } from '@sinclair/typebox';
import { QUESTION_KINDS } from '../../db/schema/surveys.js';
import { Uuid, LiteralUnion } from '../platform/schemas.js';

const Instant = Type.String({
  minLength: 10,
  maxLength: 40,
  description: 'ISO 8601 instant or YYYY-MM-DD',
});

export const SurveyIdParams = Type.Object({ id: Uuid });

export const OptionBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 60 }),
    label: Type.String({ minLength: 1, maxLength: 300 }),
    behaviour: Type.Optional(LiteralUnion(['normal', 'exclusive'] as const)),
  },
  { additionalProperties: false },
);

export const QuestionBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 60 }),
    kind: LiteralUnion(QUESTION_KINDS),
    label: Type.String({ maxLength: 500 }),
    hint: Type.Optional(Type.String({ maxLength: 1000 })),
    section: Type.Optional(Type.String({ maxLength: 200 })),
    required: Type.Optional(Type.Boolean()),
    maxChoices: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    options: Type.Optional(Type.Array(OptionBody, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const CreateSurveyBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    privacyNotice: Type.Optional(Type.String({ maxLength: 5000 })),
    opensAt: Instant,
    closesAt: Instant,
    anonymous: Type.Boolean(),
    reminderMinGapDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    reminderMaxCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    questions: Type.Array(QuestionBody, { maxItems: 200 }),
  },
  { additionalProperties: false },
);

export const CreatedSurvey = Type.Object({ id: Type.String(), publicUrl: Type.String() });

export const SurveyView = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    status: Type.String(),
    anonymous: Type.Boolean(),
    opensAt: Type.String(),
    closesAt: Type.String(),
    publicUrl: Type.String(),
    questions: Type.Array(Type.Unknown()),
  },
  { additionalProperties: true },
);

export const AnonymityBody = Type.Object(
  { anonymous: Type.Boolean() },
  { additionalProperties: false },
);

export const Answers = Type.Record(
  Type.String({ maxLength: 60 }),
  Type.Union([
    Type.String({ maxLength: 10_000 }),
    Type.Array(Type.String({ maxLength: 60 }), { maxItems: 100 }),
  ]),
);

export const ResponseBody = Type.Object(
  {
    token: Type.Optional(Type.String({ minLength: 10, maxLength: 200 })),
    answers: Answers,
  },
  { additionalProperties: false },
);
export const ResponseReceipt = Type.Object({ status: Type.Literal('received') });

export const InvitationsBody = Type.Object(
  {
    contactIds: Type.Optional(Type.Array(Uuid, { maxItems: 100_000 })),
    listId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export const InvitationsQueued = Type.Object({ queued: Type.Integer(), waveId: Type.String() });

const OptionResult = Type.Object(
  {
    key: Type.String(),
    label: Type.String(),
    count: Type.Integer(),
    percent: Type.Number(),
    rank: Type.Union([Type.Integer(), Type.Null()]),
    position: Type.Union([Type.String(), Type.Null()]),
    points: Type.Optional(Type.Integer()),
    firstPreferences: Type.Optional(Type.Integer()),
    meanRank: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false },
);
export const ResultsView = Type.Object({
  surveyId: Type.String(),
  title: Type.String(),
  responses: Type.Integer(),
  questions: Type.Array(
    Type.Object({
      key: Type.String(),
      label: Type.String(),
      kind: Type.String(),
      base: Type.Integer(),
      notAnswered: Type.Integer(),
      specialCategory: Type.Boolean(),
      options: Type.Array(OptionResult),
      agreePercent: Type.Optional(Type.Number()),
      textCount: Type.Optional(Type.Integer()),
    }),
  ),
});

export const CrossTabQuery = Type.Object({
  question: Type.String({ maxLength: 60 }),
  by: Type.String({ maxLength: 60 }),
});

export const ProgressView = Type.Object({
  invited: Type.Integer(),
  queued: Type.Integer(),
  sending: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  answered: Type.Integer(),
});
