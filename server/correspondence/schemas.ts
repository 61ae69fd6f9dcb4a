import { Type } from '@sinclair/typebox';
import { CASE_SORTS, QUEUE_VIEWS } from './repository.js';
import { ScanStatusSchema } from '../attachments/schemas.js';
import {
  FormField as Field,
  Nullable,
  RecordId,
  StaffForm,
  Uuid,
  LiteralUnion,
} from '../platform/schemas.js';
import { CASE_CHANNELS, CASE_STATUSES, CASE_SUBTYPES, CASE_TYPES } from './workflow.js';
export { CsrfOnlyForm, IdParams } from '../platform/schemas.js';

export const CaseTypeSchema = LiteralUnion(CASE_TYPES);
export const CaseChannelSchema = LiteralUnion(CASE_CHANNELS);
export const CaseStatusSchema = LiteralUnion(CASE_STATUSES);
export const CaseSubtypeSchema = LiteralUnion(CASE_SUBTYPES);
const DateOnly = Type.String({ format: 'date', maxLength: 10 });

export const ContactBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
    address: Type.Optional(Type.String({ maxLength: 1000 })),
    postcode: Type.Optional(Type.String({ maxLength: 20 })),
    kind: Type.Optional(LiteralUnion(['person', 'mp', 'organisation'] as const)),
  },
  { additionalProperties: false },
);

const Slugs = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 });

export const CreateCaseBody = Type.Object(
  {
    type: CaseTypeSchema,
    subtype: Type.Optional(CaseSubtypeSchema),
    channel: CaseChannelSchema,
    receivedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
    contact: ContactBody,
    onBehalfOf: Type.Optional(ContactBody),
    topics: Type.Optional(Slugs),
    tags: Type.Optional(Slugs),
    assigneeId: Type.Optional(Uuid),
    acknowledge: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const DeadlineSchema = Type.Object(
  {
    dueDate: Nullable(Type.String()),
    extendedDueDate: Type.Optional(Nullable(Type.String())),
    calendar: Type.String(),
    skipped: Type.Array(Type.Object({ date: Type.String(), reason: Type.String() })),
  },
  // The deadlines engine may add fields (rule, coverageIncomplete): they pass through.
  { additionalProperties: true },
);

export const CreatedCaseSchema = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  status: CaseStatusSchema,
  dueDate: Nullable(Type.String()),
  deadline: DeadlineSchema,
  contactId: Nullable(Type.String()),
  contactMatchedBy: Nullable(Type.String()),
});

export const ListQuery = Type.Object(
  {
    view: Type.Optional(LiteralUnion(QUEUE_VIEWS)),
    status: Type.Optional(Type.Array(CaseStatusSchema, { maxItems: 6 })),
    type: Type.Optional(Type.Array(CaseTypeSchema, { maxItems: 8 })),
    channel: Type.Optional(Type.Array(CaseChannelSchema, { maxItems: 7 })),
    assignee: Type.Optional(
      Type.String({
        maxLength: 36,
        pattern:
          '^(|none|me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$',
      }),
    ),
    topic: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
    overdue: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    receivedFrom: Type.Optional(DateOnly),
    receivedTo: Type.Optional(DateOnly),
    tag: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
    restricted: Type.Optional(Type.Boolean()),
    sort: Type.Optional(LiteralUnion(CASE_SORTS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const StaffRefSchema = Type.Object({ id: Type.String(), name: Type.String() });

export const CaseSummarySchema = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  type: CaseTypeSchema,
  channel: CaseChannelSchema,
  status: CaseStatusSchema,
  outcome: Nullable(Type.String()),
  subject: Type.String(),
  receivedAt: Type.String(),
  receivedOn: Type.String(),
  dueDate: Nullable(Type.String()),
  overdue: Type.Boolean({
    description:
      'A target is missed: the response due date or an acknowledgement target (the office one, or the data protection complaint one)',
  }),
  missed: Type.Array(
    Type.Object({
      kind: Type.Union([
        Type.Literal('acknowledge'),
        Type.Literal('dp_ack'),
        Type.Literal('respond'),
      ]),
      label: Type.String(),
      dueDate: Type.String(),
    }),
    { description: 'The targets missed, earliest first (open cases only)' },
  ),
  assignee: Nullable(StaffRefSchema),
  contactName: Nullable(Type.String()),
  restricted: Type.Boolean(),
  topics: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  version: Type.Integer(),
  respondedOn: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
});

export const CaseListSchema = Type.Object({
  items: Type.Array(CaseSummarySchema),
  nextCursor: Nullable(Type.String()),
});

export const AttachmentSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  uploadedAt: Type.String(),
  uploadedBy: Nullable(StaffRefSchema),
  /** Virus scan (security §5): a file downloads only when `clean` or `not_scanned`. */
  scanStatus: ScanStatusSchema,
  downloadable: Type.Boolean(),
});

export const AttachmentIdParams = Type.Object(
  {
    id: RecordId,
    attachmentId: RecordId,
  },
  { additionalProperties: false },
);

const ContactViewSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  postcode: Nullable(Type.String()),
});

export const CaseDetailSchema = Type.Composite([
  CaseSummarySchema,
  Type.Object({
    subtype: Nullable(Type.String()),
    body: Type.String(),
    flags: Type.Array(Type.String()),
    acknowledgedAt: Nullable(Type.String()),
    respondedAt: Nullable(Type.String()),
    contact: Nullable(ContactViewSchema),
    onBehalfOf: Nullable(ContactViewSchema),
    sourceType: Nullable(Type.String()),
    deadline: DeadlineSchema,
    timeline: Type.Array(
      Type.Object({
        id: Type.Integer(),
        at: Type.String(),
        kind: Type.String(),
        actor: Nullable(StaffRefSchema),
        title: Type.String(),
        description: Type.String(),
        data: Type.Object({}, { additionalProperties: true }),
      }),
    ),
    notes: Type.Array(
      Type.Object({
        id: Type.String(),
        body: Type.String(),
        createdAt: Type.String(),
        author: Nullable(StaffRefSchema),
        redacted: Type.Boolean(),
      }),
    ),
    attachments: Type.Array(AttachmentSchema),
    allowedMoves: Type.Array(
      Type.Object({
        to: CaseStatusSchema,
        label: Type.String(),
        managerOnly: Type.Boolean(),
        requires: Type.Array(Type.String()),
        reasons: Type.Array(Type.String()),
        outcomes: Type.Array(Type.String()),
      }),
    ),
  }),
]);

export const TransitionBody = Type.Object(
  {
    to: CaseStatusSchema,
    version: Type.Integer({ minimum: 1 }),
    outcome: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    type: Type.Optional(CaseTypeSchema),
  },
  { additionalProperties: false },
);

export const NoteBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 20_000 }) },
  { additionalProperties: false },
);

export const NoteSchema = Type.Object({
  id: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
});

export const AssignBody = Type.Object(
  { assigneeId: Nullable(Uuid), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export const BulkAssignBody = Type.Object(
  {
    assigneeId: Nullable(Uuid),
    cases: Type.Array(
      Type.Object(
        { id: Uuid, version: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);

export const BulkAssignResult = Type.Object({
  assigned: Type.Integer(),
  cases: Type.Array(CaseSummarySchema),
});

const BatchItems = Type.Array(
  Type.Object({ id: Uuid, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  { minItems: 1, maxItems: 200 },
);

export const BulkTagBody = Type.Object(
  {
    items: BatchItems,
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
);

export const BulkTagResult = Type.Object({
  /** Cases that now carry the tags: every case asked for. */
  tagged: Type.Integer(),
  /** Of those, the cases that gained a tag (a new version and a timeline entry each). */
  changed: Type.Integer(),
  cases: Type.Array(CaseSummarySchema),
});

export const AccessBody = Type.Object({ userId: Uuid }, { additionalProperties: false });

export const AccessParams = Type.Object(
  {
    id: RecordId,
    userId: RecordId,
  },
  { additionalProperties: false },
);

export const AccessListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      user: Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() }),
      grantedAt: Type.String(),
      grantedBy: Nullable(StaffRefSchema),
    }),
  ),
});

export const RestrictionBody = Type.Object(
  { restricted: Type.Boolean(), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/* ---- Page forms: everything arrives as strings; the service gives the messages. ---- */

/**
 * Bounded, but looser than the service's limits, so an over-long answer comes back with
 * its GOV.UK message and the text still in the box.
 */
export const NewCaseForm = StaffForm({
  type: Field(20),
  channel: Field(20),
  'receivedAt-day': Field(2),
  'receivedAt-month': Field(2),
  'receivedAt-year': Field(4),
  receivedTime: Field(5),
  subject: Field(1000),
  body: Field(40_000),
  contactName: Field(1000),
  contactEmail: Field(1000),
  contactPhone: Field(40),
  contactAddress: Field(1000),
  contactPostcode: Field(20),
  contactChoice: Field(36),
  topics: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
});

/**
 * The queue page's URL. Dates, tags and the restriction arrive as typed: the page checks
 * them and answers with GOV.UK field errors (the API's ListQuery refuses them outright).
 */
export const QueueQuery = Type.Composite(
  [
    Type.Omit(ListQuery, ['limit', 'receivedFrom', 'receivedTo', 'tag', 'restricted']),
    Type.Object({
      receivedFrom: Field(30),
      receivedTo: Field(30),
      tag: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
      restricted: Field(10),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      assigned: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
      tagged: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })),
      page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    }),
  ],
  { additionalProperties: false },
);

/** The queue's bulk actions share one form (and its checkboxes): each reads its own fields. */
const BulkFields = {
  assigneeId: Field(36),
  tags: Field(1000),
  cases: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 200 })),
  returnTo: Field(2000),
};

export const BulkAssignForm = StaffForm(BulkFields);

export const BulkTagForm = StaffForm(BulkFields);

/** "Take" on one queue row: the row's `id:version`, sent with the rest of the list's form. */
export const TakeForm = StaffForm({ ...BulkFields, take: Field(60) });

export const AccessForm = StaffForm({ userId: Field(36) });

export const NoteForm = StaffForm({ body: Field(20_000) });

export const TransitionForm = StaffForm({
  version: Field(10),
  to: Field(30),
  outcome: Field(50),
  reasonEvent: Field(50),
  reasonText: Field(2000),
});

export const AssignForm = StaffForm({ version: Field(10), assigneeId: Field(36) });

export const RestrictionForm = StaffForm({ version: Field(10), restricted: Field(5) });
