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
};
