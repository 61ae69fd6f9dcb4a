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

/** A status move the §5 workflow does not offer, between two statuses as people name them. */
export const invalidTransition = (from: string, to: string) =>
  new AppError(
    422,
    'correspondence.invalid_transition',
    `A case that is ${from.toLowerCase()} cannot move to ${to.toLowerCase()}`,
    { to: `A ${from.toLowerCase()} case cannot move to ${to.toLowerCase()}` },
  );

/** A batch refused whole: 409 when a case changed meanwhile, else 404 (one was not found). */
export const batchRefused = (message: string, stale: boolean) =>
  new AppError(stale ? 409 : 404, stale ? 'correspondence.stale_version' : 'not_found', message, {
    cases: message,
  });

export const tooManyTags = (message: string) =>
  new AppError(422, 'correspondence.too_many_tags', message, { tags: message });

export const reassignForbidden = (references: readonly string[]) =>
  new AppError(
    403,
    'correspondence.reassign_forbidden',
    `Only a manager can reassign cases. You can take unassigned cases yourself. Not allowed: ${references.join(', ')}`,
    { assigneeId: 'Only a manager can assign cases to someone else' },
  );

export const duplicateSource = () =>
  new AppError(409, 'correspondence.duplicate_source', 'This has already been recorded');
