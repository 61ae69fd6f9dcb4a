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
