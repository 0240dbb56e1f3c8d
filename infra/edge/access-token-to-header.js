/*
 * CloudFront Function (cloudfront-js-2.0), viewer request, on the behavior that leads to the Cognito-authorized API.
 *
 * API Gateway's Cognito authorizer reads the Authorization header and never a cookie, while browsers hold the
 * access token in the HttpOnly cookie `__Host-bff-at`. This function copies the cookie into
 * `Authorization: Bearer <token>` on the way to the origin.
 *
 * - A request that already carries an Authorization header (a Bearer client) is left as it is.
 * - A token too large for one cookie arrives as `__Host-bff-at.0`, `__Host-bff-at.1`, ... (no unsuffixed cookie then),
 *   joined in index order up to the first missing index.
 * - A value that is not shaped like a JWT is not copied: the authorizer then answers 401 as for no token at all.
 *
 * Plain ES5 on purpose: the file is evaluated as is by CloudFront and by the unit tests (node:vm).
 */
var ACCESS_TOKEN_COOKIE = '__Host-bff-at';
/* More chunks than this would exceed what API Gateway accepts in headers anyway (10 KB). */
var MAX_CHUNKS = 8;
var JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

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

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- CloudFront calls `handler` by name
function handler(event) {
  var request = event.request;
  var headers = request.headers || (request.headers = {});
  var existing = headers.authorization;
  if (existing && existing.value) {
    return request;
  }
  var token = accessTokenFrom(request.cookies || {});
  if (JWT_SHAPE.test(token)) {
    headers.authorization = { value: 'Bearer ' + token };
  }
  return request;
}
