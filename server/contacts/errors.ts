/** Contacts' domain errors, with stable codes (docs/rules/api.md's error shape). */
import { AppError, notFound } from '../platform/errors.js';

export const contactNotFound = () => notFound('Contact not found');

/** A merge refused: `contacts.{code}`, with the message against the contact to keep. */
export const cannotMerge = (code: string, message: string) =>
  new AppError(422, `contacts.${code}`, message, { into: message });
