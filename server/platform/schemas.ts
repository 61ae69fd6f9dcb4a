import {
  Type,
  type Static,
  type TLiteral,
  type TProperties,
  type TSchema,
  type TUnion,
} from '@sinclair/typebox';

/**
 * `?notice=<key>` after a redirect (post/redirect/get): a page shows a success banner
 * chosen from its own fixed messages by key, so no text from the URL reaches the page.
 */
export const NoticeQuery = Type.Object(
  { notice: Type.Optional(Type.String({ maxLength: 20 })) },
  { additionalProperties: false },
);
export type NoticeQuery = Static<typeof NoticeQuery>;

/**
 * A page form's text field: optional and bounded loosely (more than the service allows), so
 * an over-long answer reaches the service, which says what is wrong in GOV.UK words while
 * the page keeps the text in the box; a schema refusal would only give a bare 400.
 */
export const FormField = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/** The hidden CSRF token every staff form posts back (@fastify/csrf-protection). */
export const CsrfField = Type.String({ maxLength: 200 });

/** A staff page form's body: the CSRF token, then the form's own fields, and nothing else. */
export const StaffForm = <T extends TProperties>(fields: T) =>
  Type.Object({ _csrf: CsrfField, ...fields }, { additionalProperties: false });

/** A form with nothing but its CSRF token (a single button, like "Scan again"). */
export const CsrfOnlyForm = StaffForm({});

/** A record's id or reference in a path, bounded so no lookup gets an unbounded string. */
export const RecordId = Type.String({ minLength: 1, maxLength: 64 });

/** `:id` in a path. */
export const IdParams = Type.Object({ id: RecordId }, { additionalProperties: false });

/** A value or JSON `null` (a response field that may be empty). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A UUID in a request body. */
export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });

/**
 * One of a list of strings, as a union of literals (each value a `const`): its static type is
 * the list's, and TypeBox's Value.Check knows it.
 */
export const LiteralUnion = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((value) => Type.Literal(value))) as unknown as TUnion<
    TLiteral<T[number]>[]
  >;

/**
 * One of a list of strings, as a single JSON Schema `enum`: a refusal names the allowed
 * values ("must be one of: …").
 */
export const StringEnum = <T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
