import { Type } from '@sinclair/typebox';

export const RoleSchema = Type.Union([
  Type.Literal('caseworker'),
  Type.Literal('manager'),
  Type.Literal('admin'),
]);

export const NewUserBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    role: RoleSchema,
    /** Absent: the user is emailed an activation link (24 hours) to choose one. */
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    jobTitle: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  jobTitle: Type.Union([Type.String(), Type.Null()]),
  role: RoleSchema,
  disabled: Type.Boolean(),
  mfaEnabled: Type.Boolean(),
  createdAt: Type.String(),
});

export const UserIdParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

/** Form posts carry everything as strings; validation messages come from the service. */
export const NewUserForm = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    email: Type.String({ maxLength: 254 }),
    name: Type.String({ maxLength: 200 }),
    jobTitle: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.String({ maxLength: 20 }),
    password: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

export const UserActionForm = Type.Object(
  {
    _csrf: Type.String({ maxLength: 200 }),
    action: Type.Union([Type.Literal('role'), Type.Literal('disable'), Type.Literal('enable')]),
    role: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

export const SessionParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), sessionId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

export const CsrfOnlyForm = Type.Object(
  { _csrf: Type.String({ maxLength: 200 }) },
  { additionalProperties: false },
);
