import { Type } from '@sinclair/typebox';

export const Credentials = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    otp: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object({
  token: Type.String(),
  /** The token's own end: 15 minutes on (§3), sooner only at the session's end. */
  expiresAt: Type.String({ format: 'date-time' }),
  /** The session's absolute end (10 hours after sign-in): no refresh goes past it. */
  sessionExpiresAt: Type.String({ format: 'date-time' }),
});

export const RefreshResponse = Type.Object({
  token: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  sessionExpiresAt: Type.String({ format: 'date-time' }),
});

/** A re-authentication (§1 "R"): the password again, a code once enrolled, and why. */
export const ReauthBody = Type.Object(
  {
    password: Type.String({ minLength: 1, maxLength: 256 }),
    otp: Type.Optional(Type.String({ maxLength: 40 })),
    justification: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const ReauthResponse = Type.Object({
  reauthenticatedAt: Type.String({ format: 'date-time' }),
  validUntil: Type.String({ format: 'date-time' }),
});

export const ReauthForm = Type.Object(
  {
    password: Type.String({ maxLength: 256 }),
    code: Type.Optional(Type.String({ maxLength: 40 })),
    justification: Type.String({ maxLength: 2000 }),
    returnTo: Type.Optional(Type.String({ maxLength: 500 })),
    _csrf: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const SignInForm = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 256 }),
    returnTo: Type.Optional(Type.String({ maxLength: 500 })),
    _csrf: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);
