import { AppError, notFound } from '../platform/errors.js';

/** Correspondence's domain errors, with stable codes. */

export const staleVersion = () =>
  new AppError(
    409,
    'correspondence.stale_version',
    'This case has changed since you loaded it. Check the latest details and try again.',
    { version: 'This case has changed since you loaded it' },
  );

export const caseNotFound = () => notFound('Case not found');

export const managerOnly = (message = 'Only a manager can do this') =>
  new AppError(403, 'correspondence.manager_only', message);

export const duplicateSource = () =>
  new AppError(409, 'correspondence.duplicate_source', 'This has already been recorded');
