import { AppError, type FieldErrors } from '../platform/errors.js';

/** Complaint domain errors, with stable codes (docs/rules/api.md error shape). */
export const complaintErrors = {
  notFound: () => new AppError(404, 'not_found', 'Complaint not found'),
  notAllowed: (from: string, to: string) => {
    const message = `A complaint cannot move from ${from.replace(/_/g, ' ')} to ${to.replace(/_/g, ' ')}`;
    return new AppError(422, 'complaints.transition_not_allowed', message, { to: message });
  },
  suspended: () =>
    new AppError(
      422,
      'complaints.suspended',
      'The complaint is suspended: only resumption, withdrawal, contacts and closure are allowed',
      { to: 'The complaint is suspended' },
    ),
  refused: (code: string, message: string, field = 'to') =>
    new AppError(422, `complaints.${code}`, message, { [field]: message }),
  stale: () =>
    new AppError(
      409,
      'complaints.version_conflict',
      'Someone else changed this complaint at the same time. Reload it and try again.',
    ),
  managersOnly: () =>
    new AppError(403, 'complaints.managers_only', 'Only a manager can record this decision'),
  invalid: (fields: FieldErrors, message = 'Check the highlighted fields') =>
    new AppError(400, 'validation', message, fields),
  equalityNotGranted: () =>
    new AppError(
      403,
      'complaints.equality_not_granted',
      'You have not been granted access to individual equality answers',
    ),
  templateConflict: () =>
    new AppError(
      409,
      'complaints.template_conflict',
      'Someone else saved a new version of this letter at the same time. Reload it and try again.',
      { body: 'Someone else saved a new version at the same time: reload and try again' },
    ),
};
