export * from './users.js';
export * from './audit.js';
export * from './outbox.js';
export * from './mail.js';
export * from './contacts.js';
export * from './correspondence.js';
export * from './deadlines.js';
export * from './intake.js';
