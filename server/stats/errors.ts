import { AppError, notFound, type FieldErrors } from '../platform/errors.js';

/** Statistics' domain errors, with stable codes. */

/** The period asked for does not parse; `fields` says which part and why. */
export const invalidPeriod = (fields: FieldErrors) =>
  new AppError(400, 'validation', 'The period is not valid', fields);

/** No statistics table of that name to download. */
export const tableNotFound = () => notFound('Not found');
