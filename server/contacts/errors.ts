/** Contacts' domain errors, with stable codes (docs/rules/api.md's error shape). */
import { AppError, notFound } from '../platform/errors.js';

export const contactNotFound = () => notFound('Contact not found');

export const alreadyErased = () =>
  new AppError(409, 'contacts.already_erased', 'This person has already been erased');

export const eraseMerged = () =>
  new AppError(
    422,
    'contacts.erase_merged',
    'This record was merged into another: erase the contact it was merged into',
  );

/** A merge refused: `contacts.{code}`, with the message against the contact to keep. */
export const cannotMerge = (code: string, message: string) =>
  new AppError(422, `contacts.${code}`, message, { into: message });
