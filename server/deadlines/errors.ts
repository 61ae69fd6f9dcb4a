import { AppError, type FieldErrors } from '../platform/errors.js';

/** The clock's errors, with stable codes ('deadlines.…'). */

export const unknownEvent = () =>
  new AppError(400, 'deadlines.unknown_event', 'Select what happened', {
    kind: 'Select what happened',
  });

export const invalidEventDate = () =>
  new AppError(400, 'deadlines.invalid_date', 'Enter a real date', { at: 'Enter a real date' });

/** A closed subject takes no clock events (`then` says what to do instead). */
export const subjectClosed = (noun: string, then: string) =>
  then
    ? new AppError(422, 'deadlines.case_closed', `This ${noun} is closed: ${then}`, {
        kind: `This ${noun} is closed`,
      })
    : new AppError(422, 'deadlines.case_closed', `This ${noun} is closed`);

/** A regime refused a clock event: the first problem's code, every field's message. */
export function clockEventRefused(errors: Array<{ field: string; code: string; message: string }>) {
  const fields: FieldErrors = {};
  for (const e of errors) fields[e.field] ??= e.message;
  return new AppError(400, errors[0]!.code, errors[0]!.message, fields);
}

export const adminOnly = (what: string) =>
  new AppError(403, 'forbidden', `Only an admin can ${what}`);

export const holidayExists = () =>
  new AppError(409, 'deadlines.holiday_exists', 'That day is already a holiday', {
    date: 'That day is already a bank holiday there',
  });

export const removalNotPending = () =>
  new AppError(
    422,
    'deadlines.removal_not_pending',
    'gov.uk still lists this day: only days it has dropped, or manual ones, can be removed',
  );
