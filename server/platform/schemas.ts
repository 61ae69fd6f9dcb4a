import { Type, type Static } from '@sinclair/typebox';

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

/** `:id` in a path: a record's id or reference, bounded so no lookup gets an unbounded string. */
export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
