/**
 * The database cannot be reached or prepared (unreachable server, failed migration, closed or slow database).
 * Its message names the host, port and database but never a password.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';

  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}
