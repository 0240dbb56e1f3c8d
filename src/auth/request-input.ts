/**
 * Reading request input strictly: a parameter given twice, or as anything but a short string, is malformed.
 */
import { InvalidRequestError } from '../errors';

const MAX_PARAMETER_LENGTH = 4096;

/** A single string parameter, undefined when absent; throws on duplicates, arrays, objects or control characters. */
export function singleParameter(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidRequestError('invalid_request', `Parameter "${name}" must be given once, as a string.`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (value.length > MAX_PARAMETER_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidRequestError('invalid_request', `Parameter "${name}" is malformed.`);
  }
  return value;
}
