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
  expiresAt: Type.String({ format: 'date-time' }),
});

export const SignInForm = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 256 }),
    returnTo: Type.Optional(Type.String({ maxLength: 500 })),
    _csrf: Type.String({ maxLength: 200 }),
  },
  { additionalProperties: false },
);
