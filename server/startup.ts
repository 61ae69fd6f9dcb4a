import { StartupError } from '../db/errors.js';
import { ConfigError } from './config.js';

/**
 * What to print when start-up fails. Failures an operator can fix name the setting (PORT,
 * DATA_DIR, ...) in one message without a stack; anything else keeps its stack.
 */
export function startupFailureMessage(error: unknown): string {
  if (error instanceof ConfigError || error instanceof StartupError) return error.message;
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.syscall === 'listen' && e.code === 'EADDRINUSE') {
    return (
      `PORT ${e.port ?? ''} is already in use on ${e.address ?? 'this machine'} (another copy of the app, ` +
      'or another program, listens there). Stop it, or set PORT to a free port.'
    );
  }
  if (e?.syscall === 'listen' && (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')) {
    return e.code === 'EACCES'
      ? `PORT ${e.port ?? ''} needs privileges this user does not have: set PORT to 1024 or above.`
      : `HOST ${e.address ?? ''} is not an address of this machine: set HOST (for example 127.0.0.1).`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
