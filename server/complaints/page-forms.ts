/** Helpers the complaint pages share: reading form fields, equality options, error ids. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { AppError, type FieldErrors } from '../platform/errors.js';
export { IdParams } from '../platform/schemas.js';

export type Form = Record<string, string | string[] | undefined>;
export const FormBody = Type.Record(
  Type.String({ maxLength: 60 }),
  Type.Union([
    Type.String({ maxLength: 20_000 }),
    Type.Array(Type.String({ maxLength: 20_000 }), { maxItems: 60 }),
  ]),
);
/**
 * `?notice=<key>` after a redirect (post/redirect/get). Unlike platform/schemas.ts's it lets
 * other parameters through, as these pages always have.
 */
export const NoticeQuery = Type.Object({ notice: Type.Optional(Type.String({ maxLength: 20 })) });
export type NoticeQuery = Static<typeof NoticeQuery>;
/** What a page is shown with after a post: what was typed, the refusal, a notice, a status. */
export interface PageState {
  errors?: FieldErrors;
  values?: Form;
  status?: number;
  notice?: string;
}
/** Renders `view` with `data` and the page's state (what was typed, errors, notice). */
export const pageWithState = (
  reply: FastifyReply,
  view: string,
  data: Record<string, unknown>,
  state: PageState,
) =>
  reply.page(
    view,
    { ...data, values: state.values ?? {}, errors: state.errors, notice: state.notice },
    state.status ?? 200,
  );
export const str = (form: Form, key: string) => {
  const v = form[key];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
};
export const list = (form: Form, key: string) => {
  const v = form[key];
  return (Array.isArray(v) ? v : v ? [v] : []).filter(Boolean);
};
export const opt = (value: string) => (value ? value : undefined);

export const EQUALITY_OPTIONS: Record<string, string[]> = {
  ageBand: ['under_18', '18_24', '25_34', '35_44', '45_54', '55_64', '65_plus', 'not_stated'],
  sex: ['female', 'male', 'not_stated'],
  ethnicity: [
    'asian_british',
    'black_british',
    'mixed',
    'white_british',
    'white_other',
    'other',
    'not_stated',
  ],
  disability: ['yes', 'no', 'not_stated'],
  religion: [
    'none',
    'christian',
    'muslim',
    'hindu',
    'sikh',
    'jewish',
    'buddhist',
    'other',
    'not_stated',
  ],
  sexualOrientation: ['heterosexual', 'gay_or_lesbian', 'bisexual', 'other', 'not_stated'],
};
export const EQUALITY_LABELS: Record<string, string> = {
  ageBand: 'Age band',
  sex: 'Sex',
  ethnicity: 'Ethnicity',
  disability: 'Disability',
  religion: 'Religion or belief',
  sexualOrientation: 'Sexual orientation',
};
export const words = (value: string) =>
  (value.charAt(0).toUpperCase() + value.slice(1)).replace(/_/g, ' ');

/** Service field names to the form's element ids. */
export function pageErrors(fields: FieldErrors | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(fields ?? {})) {
    const id = key
      .replace(/^allegations\.0\./, '')
      .replace(/^complainant\./, 'complainant-')
      .replace(/^outcome\.allegations\.(\d+)\..*/, 'outcome')
      .replace(/^review\./, 'review-')
      .replace(/\./g, '-');
    out[id] ??= message;
  }
  return out;
}

/** A refusal the form can show (400, 409, 422 with fields); anything else is re-thrown. */
export function formErrors(error: unknown): { errors: FieldErrors; status: number } {
  if (
    error instanceof AppError &&
    error.statusCode < 500 &&
    error.statusCode !== 404 &&
    error.statusCode !== 403
  )
    return {
      errors:
        error.fields && Object.keys(error.fields).length ? error.fields : { form: error.message },
      status: error.statusCode,
    };
  throw error;
}

/** A refused form's page again: the refusal's errors and status, with what was typed. */
export function refusedForm(error: unknown, values: Form) {
  const { errors, status } = formErrors(error);
  return { errors, values, status };
}
