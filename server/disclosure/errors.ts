/** The disclosure log's domain errors, with stable codes (docs/rules/api.md's error shape). */
import type { FieldErrors } from '../platform/errors.js';
import { AppError, fixedErrors } from '../platform/errors.js';

/** A refused document, with the message against the file field. */
export const documentError = (status: number, code: string, message: string) =>
  new AppError(status, code, message, { file: message });

export const notPublishable = (message: string) =>
  new AppError(422, 'disclosure.not_publishable', message);

export const managerOnly = (what: string) =>
  new AppError(403, 'disclosure.manager_only', `Only a manager can ${what}`);

export const personalDataFoundError = (found: FieldErrors) =>
  new AppError(422, 'disclosure.personal_data', 'The entry still contains personal data', found);

export const invalidTransition = (status: string, to: string) =>
  new AppError(422, 'disclosure.invalid_transition', `A ${status} entry cannot be ${to}`);

export const documentsNotChecked = (message: string) =>
  new AppError(422, 'disclosure.documents_not_checked', message, { documents: message });

export const notEditable = (status: string) =>
  new AppError(422, 'disclosure.not_editable', `A ${status} entry cannot be edited`);

/** The disclosure log's fixed errors: [status, stable code, message, field messages]. */
export const {
  stale,
  personalDataUnconfirmed,
  withdrawn,
  documentRemoved,
  documentScanPending,
  documentInfected,
} = fixedErrors({
  stale: [
    409,
    'disclosure.stale_version',
    'This entry has changed since you loaded it. Check the latest version and try again.',
    { version: 'This entry has changed since you loaded it' },
  ],
  personalDataUnconfirmed: [
    422,
    'disclosure.personal_data_unconfirmed',
    'The caseworker has not confirmed that personal data has been removed',
    { personalDataRemoved: 'Confirm that personal data has been removed' },
  ],
  withdrawn: [410, 'disclosure.withdrawn', 'This entry has been withdrawn from the disclosure log'],
  documentRemoved: [410, 'disclosure.document_removed', 'This document has been removed'],
  documentScanPending: [
    409,
    'disclosure.document_scan_pending',
    'This document is still being checked for viruses. Try again in a few minutes.',
  ],
  documentInfected: [
    403,
    'disclosure.document_infected',
    'This document contains a virus and has been blocked. It cannot be downloaded.',
  ],
});
