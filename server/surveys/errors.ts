import { AppError, type FieldErrors } from '../platform/errors.js';

/** Stable codes of the surveys domain (docs/rules/api.md error shape). */
export const surveyErrors = {
  notFound: () => new AppError(404, 'surveys.not_found', 'There is no such survey'),
  invalidAnswers: (fields: FieldErrors) =>
    new AppError(
      400,
      'surveys.invalid_answers',
      `Check your answer to: ${Object.keys(fields).join(', ')}`,
      fields,
    ),
  invalidSurvey: (fields: FieldErrors, message = 'Check the survey') =>
    new AppError(400, 'surveys.invalid_survey', message, fields),
  alreadyResponded: () =>
    new AppError(409, 'surveys.already_responded', 'You have already responded to this survey'),
  notOpen: (message = 'This survey is not open for answers') =>
    new AppError(422, 'surveys.closed', message),
  locked: (what = 'The survey has been launched: its structure and anonymity are fixed') =>
    new AppError(409, 'surveys.locked', what),
  alreadyLaunched: () =>
    new AppError(409, 'surveys.already_launched', 'The survey has already been opened'),
  badToken: () =>
    new AppError(404, 'surveys.bad_token', 'This link is not valid. Check it was copied in full.'),
  notForAnonymous: () =>
    new AppError(
      422,
      'surveys.personal_question_refused',
      'An anonymous survey cannot ask for a name, email, phone number or postcode',
    ),
  noRecipients: () =>
    new AppError(400, 'surveys.no_recipients', 'Choose contacts or a list to invite', {
      contactIds: 'Give contactIds or a listId',
    }),
  notOpenYet: () => new AppError(404, 'surveys.not_open', 'This survey is not open yet'),
  badUnsubscribeLink: () =>
    new AppError(404, 'surveys.bad_token', 'This unsubscribe link is not valid'),
  answersKeyReused: () =>
    new AppError(
      422,
      'idempotency.key_reused',
      'This Idempotency-Key was used before with different answers',
    ),
  analystsOnly: () =>
    new AppError(403, 'surveys.analysts_only', 'Equality information is for survey analysts only'),
  analystNotManager: () =>
    new AppError(422, 'surveys.analyst_not_manager', 'Only a manager can be a survey analyst'),
  invalidImport: (fields: FieldErrors, message: string) =>
    new AppError(400, 'surveys.invalid_import', message, fields),
  notLaunched: () =>
    new AppError(409, 'surveys.not_launched', 'Open the survey before importing responses'),
};
