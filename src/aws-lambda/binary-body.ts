/**
 * Which response bodies API Gateway must receive base64-encoded. serverless-express's default treats only `image/*`
 * and compressed bodies as binary, so a relayed PDF or `application/octet-stream` answer would be mangled into UTF-8.
 * Here the rule is the other way round: a body is text only when its type says so and it is not compressed.
 */
import type { OutgoingHttpHeaders } from 'node:http';

const TEXT_TYPES =
  /^(?:text\/[\w.+-]+|application\/(?:[\w.-]+\+)?(?:json|xml)|application\/(?:javascript|x-www-form-urlencoded|problem\+json))$/i;

function single(value: OutgoingHttpHeaders[string]): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

export function isBinaryBody(headers: OutgoingHttpHeaders): boolean {
  const encoding = single(headers['content-encoding']).trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return true;
  const type = single(headers['content-type']).split(';')[0]!.trim();
  // No type: a redirect, an empty answer, or one of the BFF's own routes; sent as text, as before.
  if (type === '') return false;
  return !TEXT_TYPES.test(type);
}
