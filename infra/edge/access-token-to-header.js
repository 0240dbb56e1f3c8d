/*
 * CloudFront Function (cloudfront-js-2.0), viewer request, on every behavior that leads to a Cognito-authorized API
 * route (`/tests*` and each path added with `CognitoBff.addApi`).
 *
 * API Gateway's Cognito authorizer reads the Authorization header and never a cookie, while browsers hold the
 * access token in the HttpOnly cookie `__Host-bff-at`. This function copies the cookie into
 * `Authorization: Bearer <token>` on the way to the origin.
 *
 * - A request that already carries an Authorization header (a Bearer client) is left as it is.
 * - A token too large for one cookie arrives as `__Host-bff-at.0`, `__Host-bff-at.1`, ... (no unsuffixed cookie then),
 *   joined in index order up to the first missing index.
 * - A value that is not shaped like a JWT is not copied: the authorizer then answers 401 as for no token at all.
 * - CSRF: an unsafe method (POST, PUT, PATCH, DELETE) that would be authenticated by the cookie (it carries the
 *   access-token cookie and no Authorization header of its own) must carry `X-CSRF: 1`, as at the BFF. Otherwise the
 *   function answers `403 {"error":"csrf_check_failed"}` itself: the API behind it (the team's own, possibly not the
 *   BFF) never sees a cross-site form post dressed in the user's cookie.
 *
 * Plain ES5 on purpose: the file is evaluated as is by CloudFront and by the unit tests (node:vm).
 */
var ACCESS_TOKEN_COOKIE = '__Host-bff-at';
/* More chunks than this would exceed what API Gateway accepts in headers anyway (10 KB). */
var MAX_CHUNKS = 8;
var JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
var UNSAFE_METHODS = { POST: true, PUT: true, PATCH: true, DELETE: true };

function cookieValue(cookies, name) {
  var cookie = cookies[name];
  return cookie && typeof cookie.value === 'string' ? cookie.value : '';
}

function accessTokenFrom(cookies) {
  var whole = cookieValue(cookies, ACCESS_TOKEN_COOKIE);
  if (whole) {
    return whole;
  }
  var token = '';
  for (var index = 0; index < MAX_CHUNKS; index++) {
    var chunk = cookieValue(cookies, ACCESS_TOKEN_COOKIE + '.' + index);
    if (!chunk) {
      break;
    }
    token += chunk;
  }
  return token;
}

/* Any access-token cookie at all (whole or a chunk, even a malformed one): the browser sent the user's credential. */
function carriesAccessTokenCookie(cookies) {
  return Boolean(cookieValue(cookies, ACCESS_TOKEN_COOKIE) || cookieValue(cookies, ACCESS_TOKEN_COOKIE + '.0'));
}

function csrfRefusal() {
  return {
    statusCode: 403,
    statusDescription: 'Forbidden',
    headers: {
      'content-type': { value: 'application/json' },
      'cache-control': { value: 'no-store' },
    },
    body: {
      encoding: 'text',
      data: '{"error":"csrf_check_failed","message":"A cookie-authenticated request with this method needs the X-CSRF: 1 header."}',
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- CloudFront calls `handler` by name
function handler(event) {
  var request = event.request;
  var headers = request.headers || (request.headers = {});
  var cookies = request.cookies || {};
  var existing = headers.authorization;
  if (existing && existing.value) {
    return request;
  }
  if (UNSAFE_METHODS[request.method] && carriesAccessTokenCookie(cookies)) {
    var csrf = headers['x-csrf'];
    if (!csrf || csrf.value !== '1') {
      return csrfRefusal();
    }
  }
  var token = accessTokenFrom(cookies);
  if (JWT_SHAPE.test(token)) {
    headers.authorization = { value: 'Bearer ' + token };
  }
  return request;
}
