import { Type } from '@sinclair/typebox';
import { TEMPLATE_PURPOSES } from '../../db/schema/replies.js';
import {
  FormField as Field,
  Nullable,
  RecordId,
  StaffForm,
  Uuid,
  StringEnum,
} from '../platform/schemas.js';
import { CASE_TYPES } from '../correspondence/workflow.js';
export { IdParams } from '../platform/schemas.js';

export const ReplyParams = Type.Object(
  { id: RecordId, replyId: Type.String({ maxLength: 64 }) },
  { additionalProperties: false },
);

export const TemplateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    purpose: StringEnum(TEMPLATE_PURPOSES),
    caseTypes: Type.Optional(Type.Array(StringEnum(CASE_TYPES), { maxItems: 8 })),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
);
export const TemplateRevisionBody = Type.Composite(
  [TemplateBody, Type.Object({ version: Type.Integer({ minimum: 1 }) })],
  { additionalProperties: false },
);

export const TemplateSchema = Type.Object({
  id: Type.String(),
  familyId: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
  purpose: Type.String(),
  caseTypes: Type.Array(Type.String()),
  subject: Type.String(),
  body: Type.String(),
  createdAt: Type.String(),
});
export const TemplateListQuery = Type.Object(
  { caseType: Type.Optional(StringEnum(CASE_TYPES)) },
  { additionalProperties: false },
);

export const ReplyBody = Type.Object(
  {
    templateId: Type.Optional(Uuid),
    subject: Type.String({ minLength: 1, maxLength: 220 }),
    body: Type.String({ minLength: 1, maxLength: 20_000 }),
    channel: StringEnum(['email', 'post'] as const),
    responds: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ReplySchema = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  channel: Type.String(),
  status: Type.String(),
  responds: Type.Boolean(),
  templateId: Nullable(Type.String()),
  templateVersion: Nullable(Type.Integer()),
  to: Nullable(Type.String()),
  subject: Type.String(),
  body: Type.String(),
  emailId: Nullable(Type.String()),
  messageId: Nullable(Type.String()),
  inReplyTo: Nullable(Type.String()),
  references: Nullable(Type.String()),
  sender: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  createdAt: Type.String(),
  sentAt: Nullable(Type.String()),
  failedAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
});

/* ---- Page forms: strings, bounded loosely so messages come from the service. ---- */

export const ComposeQuery = Type.Object(
  {
    templateId: Field(64),
    /** `draft` after saving a draft, `discarded` after discarding it: the banner to show. */
    notice: Field(20),
  },
  { additionalProperties: false },
);

export const ReplyForm = StaffForm({
  templateId: Field(64),
  subject: Field(1000),
  body: Field(40_000),
  channel: Field(10),
  responds: Field(5),
  /** Case files to send with an email reply (one checkbox each). */
  attachmentIds: Type.Optional(
    Type.Union([
      Type.String({ maxLength: 64 }),
      Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 }),
    ]),
  ),
  /**
   * `preview` shows the reply as the requester will get it, without sending; `draft` saves
   * it to come back to; `discard` drops the saved draft.
   */
  action: Field(10),
});

export const TemplateForm = StaffForm({
  name: Field(1000),
  purpose: Field(30),
  caseTypes: Type.Optional(Type.Array(Type.String({ maxLength: 30 }), { maxItems: 8 })),
  subject: Field(1000),
  body: Field(40_000),
  version: Field(10),
});
