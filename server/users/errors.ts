/** Users' domain errors, with stable codes (docs/rules/api.md's error shape). */
import { AppError, notFound } from '../platform/errors.js';

export const userNotFound = () => notFound('User not found');

export const ownRole = () =>
  new AppError(422, 'users.own_role', 'You cannot change your own role', {
    role: 'You cannot change your own role',
  });

export const ownAccount = () =>
  new AppError(422, 'users.own_account', 'You cannot disable your own account');

export const emailTaken = () =>
  new AppError(409, 'users.email_taken', 'A user with this email address already exists', {
    email: 'A user with this email address already exists',
  });
