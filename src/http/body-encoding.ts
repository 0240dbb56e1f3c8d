/**
 * Request bodies are read only as sent, never decompressed: a `Content-Encoding` other than `identity` is refused with
 * `415 unsupported_content_encoding` before any byte is read. The bodies the BFF reads are a few hundred bytes of JSON
 * that browsers never compress, and decompressing attacker input buys only risk (a small body that inflates to
 * gigabytes, decoder errors deep in a library). API proxy routes forward bodies untouched and are not concerned.
 */
import type { RequestHandler } from 'express';
import { InvalidRequestError } from '../errors';
import { logFact } from './log-facts';

const NO_ENCODING = /^\s*(identity)?\s*$/i;

export const requireIdentityEncoding: RequestHandler = (req, _res, next) => {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined) return next();
  if (!NO_ENCODING.test(encoding)) {
    throw new InvalidRequestError(
      'unsupported_content_encoding',
      'Send the body without Content-Encoding.',
      `content-encoding ${logFact(encoding, 32)}`,
      415,
    );
  }
  // No encoding at all, however spelled (Node's parser trims blanks, API Gateway passes them on): say so in the one
  // form the body parser knows.
  delete req.headers['content-encoding'];
  next();
};
