import { fixedErrors } from '../platform/errors.js';

/** Sign-in's fixed errors: [status, stable code, message, field messages]. */
const errors = fixedErrors({
  invalidCredentials: [
    401,
    'auth.invalid_credentials',
    'Enter a correct email address and password',
  ],
  mfaRequired: [401, 'auth.mfa_required', 'Enter the code from your authenticator app (otp)'],
  mfaEnrolmentRequired: [
    403,
    'auth.mfa_enrolment_required',
    'Set up an authenticator app by signing in to the staff pages first',
  ],
  invalidCode: [
    401,
    'auth.mfa_invalid',
    'Enter a correct code from your authenticator app, or a recovery code',
  ],
  invalidLink: [
    400,
    'auth.link_invalid',
    'This link has expired or has already been used. Ask for a new one.',
  ],
  throttled: [
    429,
    'auth.throttled',
    'Too many failed sign-in attempts. Wait 15 minutes and try again.',
  ],
  mfaNotStarted: [409, 'auth.mfa_not_started', 'Start setting up your authenticator'],
  /** The first code of a new authenticator was wrong (the set-up page's field error). */
  setupCodeWrong: [
    400,
    'auth.mfa_invalid',
    'Enter the 6-digit code your app shows',
    { code: 'Enter the 6-digit code your app shows' },
  ],
  signInRequired: [401, 'auth.required', 'Sign in to continue'],
});

/**
 * The sign-in refusals are single instances: they carry nothing about the attempt, so one
 * answer serves every wrong password or code.
 */
export const INVALID_CREDENTIALS = errors.invalidCredentials();
export const MFA_REQUIRED = errors.mfaRequired();
export const MFA_ENROLMENT_REQUIRED = errors.mfaEnrolmentRequired();
export const INVALID_CODE = errors.invalidCode();
export const INVALID_LINK = errors.invalidLink();

export const { throttled, mfaNotStarted, setupCodeWrong, signInRequired } = errors;
