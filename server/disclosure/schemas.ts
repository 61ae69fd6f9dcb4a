import { Type } from '@sinclair/typebox';
import { DISCLOSURE_STATUSES } from '../../db/schema/disclosure.js';
import { ScanStatusSchema } from '../attachments/schemas.js';
import {
  FormField as Field,
  Nullable,
  RecordId,
  StaffForm,
  StringEnum,
} from '../platform/schemas.js';
export { CsrfOnlyForm as CsrfForm, IdParams } from '../platform/schemas.js';

export const ReferenceParams = Type.Object(
  { reference: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
);
export const DocumentParams = Type.Object(
  {
    id: RecordId,
    documentId: RecordId,
  },
  { additionalProperties: false },
);
export const PublicDocumentParams = Type.Object(
  {
    reference: Type.String({ minLength: 1, maxLength: 40 }),
    documentId: RecordId,
  },
  { additionalProperties: false },
);

/** A redacted document on an entry: name, type and size; the bytes are a separate download. */
export const DocumentSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  typeLabel: Type.String(),
  size: Type.Integer(),
  sizeLabel: Type.String(),
  uploadedAt: Type.String(),
  /** Virus scan (security §5): a file downloads only when `clean` or `not_scanned`. */
  scanStatus: ScanStatusSchema,
  downloadable: Type.Boolean(),
});

export const EntrySchema = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  reference: Type.String(),
  title: Type.String(),
  requestText: Type.String(),
  summary: Type.String(),
  outcome: Nullable(Type.String()),
  exemptions: Type.Array(Type.String()),
  responseDate: Type.String(),
  topics: Type.Array(Type.String()),
  status: Type.String(),
  personalDataRemoved: Type.Boolean(),
  version: Type.Integer(),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  publishedAt: Nullable(Type.String()),
  withdrawnAt: Nullable(Type.String()),
  withdrawnReason: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const EntryBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    requestText: Type.String({ minLength: 1, maxLength: 20_000 }),
    summary: Type.String({ maxLength: 10_000 }),
    outcome: Nullable(Type.String({ maxLength: 30 })),
    exemptions: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 }),
    responseDate: Type.String({ format: 'date', maxLength: 10 }),
    topics: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 }),
    personalDataRemoved: Type.Boolean(),
    version: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

export const VersionBody = Type.Object(
  { version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
export const WithdrawBody = Type.Object(
  { version: Type.Integer({ minimum: 1 }), reason: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);
export const StaffListQuery = Type.Object(
  { status: Type.Optional(Type.Array(StringEnum(DISCLOSURE_STATUSES), { maxItems: 4 })) },
  { additionalProperties: false },
);

/** Public filters arrive from a GET form: empty strings mean "any". */
export const PublicQuery = Type.Object(
  {
    year: Type.Optional(Type.String({ maxLength: 4, pattern: '^(\\d{4})?$' })),
    topic: Type.Optional(Type.String({ maxLength: 50 })),
    outcome: Type.Optional(Type.String({ maxLength: 30 })),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    page: Type.Optional(Type.String({ maxLength: 4, pattern: '^\\d{0,4}$' })),
  },
  { additionalProperties: false },
);

export const PublicEntrySchema = Type.Object({
  reference: Type.String(),
  title: Type.String(),
  requestText: Type.String(),
  summary: Type.String(),
  outcome: Nullable(Type.String()),
  outcomeLabel: Nullable(Type.String()),
  exemptions: Type.Array(Type.String()),
  responseDate: Type.String(),
  topics: Type.Array(Type.Object({ slug: Type.String(), label: Type.String() })),
});

/* ---- Staff page forms ---- */

export const EntryForm = StaffForm({
  version: Field(10),
  title: Field(1000),
  requestText: Field(40_000),
  summary: Field(20_000),
  outcome: Field(30),
  exemptions: Field(10_000),
  'responseDate-day': Field(2),
  'responseDate-month': Field(2),
  'responseDate-year': Field(4),
  topics: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
  personalDataRemoved: Field(5),
});
export const ActionForm = StaffForm({ version: Field(10), reason: Field(4000) });
