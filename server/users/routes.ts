import { Type } from '@sinclair/typebox';
import { apiRoute } from '../platform/api-route.js';
import { ADMINS } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
import type { Role } from './types.js';
import {
  CsrfOnlyForm,
  NewUserBody,
  NewUserForm,
  SessionParams,
  UserActionForm,
  UserIdParams,
  UserView,
} from './schemas.js';
import type { UsersService } from './service.js';
import type { MfaService } from '../auth/mfa.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('users');

const roleItems = (selected?: string) =>
  (['caseworker', 'manager', 'admin'] as const).map((value) => ({
    value,
    text: value[0]!.toUpperCase() + value.slice(1),
    checked: value === selected,
  }));

export async function usersRoutes(app: App, opts: { users: UsersService; mfa: MfaService }) {
  const { users, mfa } = opts;
  app.staffNav.push({ href: '/admin/users', text: 'Users', roles: ['admin'] });

  app.post(
    '/api/users',
    api(ADMINS, 'Add a member of staff', {
      body: NewUserBody,
      response: { 201: Type.Object({ id: Type.String() }) },
    }),
    async (request, reply) => {
      const user = await users.create(request.actor(), request.body);
      return reply.code(201).send({ id: user.id });
    },
  );

  app.get(
    '/api/users',
    api(ADMINS, 'List staff', { response: { 200: Type.Object({ items: Type.Array(UserView) }) } }),
    async () => ({ items: await users.list() }),
  );

  app.get('/admin/users', pageRoute(ADMINS), async (_request, reply) =>
    reply.page('users/views/list.njk', { pageTitle: 'Users', users: await users.list() }),
  );

  app.get('/admin/users/new', pageRoute(ADMINS), async (_request, reply) =>
    reply.page('users/views/new.njk', {
      pageTitle: 'Add a user',
      roles: roleItems('caseworker'),
      values: {},
    }),
  );

  app.post('/admin/users', pageRoute(ADMINS, { body: NewUserForm }), async (request, reply) => {
    const { email, name, jobTitle, role, password } = request.body;
    try {
      await users.create(request.actor(), {
        email,
        name,
        jobTitle,
        role: role as Role,
        // Blank: invited by email instead.
        ...(password ? { password } : {}),
      });
      return reply.redirect('/admin/users', 303);
    } catch (error) {
      if (error instanceof AppError && error.fields) {
        return reply.page(
          'users/views/new.njk',
          {
            pageTitle: 'Add a user',
            roles: roleItems(role),
            values: { email, name, jobTitle },
            errors: error.fields,
          },
          error.statusCode,
        );
      }
      throw error;
    }
  });

  app.get(
    '/admin/users/:id',
    pageRoute(ADMINS, { params: UserIdParams }),
    async (request, reply) => {
      const user = await users.get(request.params.id);
      return reply.page('users/views/show.njk', {
        pageTitle: user.name,
        user,
        roles: roleItems(user.role),
        sessions: await users.sessions(user.id),
      });
    },
  );

  app.post(
    '/admin/users/:id/sessions/:sessionId/end',
    pageRoute(ADMINS, { params: SessionParams, body: CsrfOnlyForm }),
    async (request, reply) => {
      const { id, sessionId } = request.params;
      await users.endSession(request.actor(), id, sessionId);
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  // An MFA change (§9 #12): only within 5 minutes of the admin's re-authentication.
  app.post(
    '/admin/users/:id/mfa-reset',
    pageRoute(
      ADMINS,
      { params: UserIdParams, body: CsrfOnlyForm },
      {
        reauth: {
          returnTo: (request) => `/admin/users/${(request.params as { id: string }).id}`,
        },
      },
    ),
    async (request, reply) => {
      await mfa.reset(request.actor(), request.params.id);
      return reply.redirect(`/admin/users/${request.params.id}`, 303);
    },
  );

  app.post(
    '/admin/users/:id',
    pageRoute(ADMINS, { params: UserIdParams, body: UserActionForm }),
    async (request, reply) => {
      const { id } = request.params;
      const { action, role } = request.body;
      try {
        if (action === 'role') await users.changeRole(request.actor(), id, role as Role);
        else await users.setDisabled(request.actor(), id, action === 'disable');
        return reply.redirect(`/admin/users/${id}`, 303);
      } catch (error) {
        if (error instanceof AppError && error.statusCode < 500 && error.statusCode !== 404) {
          const user = await users.get(id);
          return reply.page(
            'users/views/show.njk',
            {
              pageTitle: user.name,
              user,
              roles: roleItems(user.role),
              errors: error.fields ?? { role: error.message },
            },
            error.statusCode,
          );
        }
        throw error;
      }
    },
  );
}
