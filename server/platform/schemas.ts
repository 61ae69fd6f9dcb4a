import {
  Type,
  type Static,
  type TLiteral,
  type TOptional,
  type TProperties,
  type TSchema,
  type TString,
  type TUnion,
  type TUnsafe,
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

/**
 * One value of a form or query string its handler reads leniently: a string, or a list of
 * them when the name comes more than once (checkboxes, a doctored link). A type list, not
 * anyOf: ajv (coerceTypes: 'array', app.ts) then coerces only a value that is neither, where
 * anyOf would turn a one-item list into a string (or a string into a list) on the way through.
 */
export const LenientValue = Type.Unsafe<string | string[]>({
  type: ['string', 'array'],
  items: { type: 'string' },
});

type LenientFields<K extends string> = { [N in K]: TOptional<TUnsafe<string | string[]>> };
const lenientFields = <K extends string>(names: readonly K[]) =>
  Object.fromEntries(names.map((name) => [name, Type.Optional(LenientValue)])) as LenientFields<K>;

/**
 * The form of a page whose handler reads it leniently and answers bad input with its own error
 * summary: the fields it reads, each optional and a LenientValue, any other field allowed, and
 * no body at all (a POST with its CSRF token in the header), which the handler reads as empty.
 * For the handler's types and a shape check only: a refusal here is a bare 400 page.
 */
export const LenientForm = <K extends string>(...names: K[]) =>
  Type.Union([Type.Object(lenientFields(names)), Type.Null()]);

/** A page's query string read leniently: the names it reads (LenientValue), anything else allowed. */
export const LenientQuery = <K extends string>(...names: K[]) => Type.Object(lenientFields(names));

/**
 * Path parameters a handler checks itself (an unknown or malformed one is its own 404): any
 * string, so the schema types them without answering 400 where the handler answered 404.
 */
export const LenientParams = <K extends string>(...names: K[]) =>
  Type.Object(
    Object.fromEntries(names.map((name) => [name, Type.String()])) as { [N in K]: TString },
  );

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
