import type postgres from 'postgres';
import {
  normaliseEmail,
  normalisePhone,
  normalisePostcode,
} from '../../server/contacts/normalise.js';

export interface ContactValues {
  name: string;
  email?: string;
  phone?: string;
  postcode?: string;
  mergedInto?: string;
}

/**
 * A contact row written straight to the table (as an earlier intake or import left it),
 * with the normalised columns the app's own normalisers would give.
 */
export async function insertContact(sql: postgres.Sql, values: ContactValues): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into contacts (name, email, email_norm, phone, phone_e164, postcode, postcode_norm, merged_into_id)
    values (${values.name}, ${values.email ?? null}, ${normaliseEmail(values.email)},
            ${values.phone ?? null}, ${normalisePhone(values.phone)},
            ${values.postcode ?? null}, ${normalisePostcode(values.postcode)},
            ${values.mergedInto ?? null})
    returning id`;
  return row!.id;
}
