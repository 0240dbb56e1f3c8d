/**
 * The one error type of the local stack. Its message is written for the person running `npm start`: it says what
 * went wrong and what to do, so callers print `error.message` and need no stack trace.
 */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
