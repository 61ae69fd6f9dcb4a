import { AppError } from '../platform/errors.js';

/**
 * Sign-in's domain errors, with stable codes. The sign-in refusals are single instances: they
 * carry nothing about the attempt, so one answer serves every wrong password or code.
 */

export const INVALID_CREDENTIALS = new AppError(
  401,
  'auth.invalid_credentials',
  'Enter a correct email address and password',
);

export const MFA_REQUIRED = new AppError(
  401,
  'auth.mfa_required',
  'Enter the code from your authenticator app (otp)',
);

export const MFA_ENROLMENT_REQUIRED = new AppError(
  403,
  'auth.mfa_enrolment_required',
  'Set up an authenticator app by signing in to the staff pages first',
);

export const INVALID_CODE = new AppError(
  401,
  'auth.mfa_invalid',
  'Enter a correct code from your authenticator app, or a recovery code',
);

export const INVALID_LINK = new AppError(
  400,
  'auth.link_invalid',
  'This link has expired or has already been used. Ask for a new one.',
);

export const throttled = () =>
  new AppError(
    429,
    'auth.throttled',
    'Too many failed sign-in attempts. Wait 15 minutes and try again.',
  );

export const mfaNotStarted = () =>
  new AppError(409, 'auth.mfa_not_started', 'Start setting up your authenticator');

/** The first code of a new authenticator was wrong (the set-up page's field error). */
export const setupCodeWrong = () =>
  new AppError(400, 'auth.mfa_invalid', 'Enter the 6-digit code your app shows', {
    code: 'Enter the 6-digit code your app shows',
  });

export const signInRequired = () => new AppError(401, 'auth.required', 'Sign in to continue');
