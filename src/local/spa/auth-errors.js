// What the demo SPA says when a sign-in comes back with `auth_error=<code>`. The code arrives in the address bar, where
// anyone can put any text (a link in an e-mail), so the page shows only these sentences: a known code's own, or the
// generic one. Never the code or any other text from the URL.

/** @type {Readonly<Record<string, string>>} */
const MESSAGES = Object.freeze({
  // The BFF's own codes (README, "Error codes"), as the callback reports them.
  invalid_state:
    'The sign-in could not be matched to this browser: it may have taken too long, or started at another address of this site. Please sign in again.',
  invalid_request: 'The answer from the sign-in page was incomplete. Please sign in again.',
  invalid_grant: 'The sign-in code had expired or was already used. Please sign in again.',
  invalid_token: 'The sign-in could not be verified. Please sign in again.',
  idp_unavailable: 'The sign-in service cannot be reached right now. Please try again in a moment.',
  idp_timeout: 'The sign-in service took too long to answer. Please try again in a moment.',
  idp_error: 'The sign-in service refused the request. Please try again; if it keeps happening, contact support.',
  idp_bad_response: 'The sign-in service gave an answer this app cannot use. Please try again; if it keeps happening, contact support.',
  session_too_large:
    'Your account carries more information than a browser session can hold (for example, very many groups). Please contact your administrator.',
  session_store_unavailable: 'Sessions are unavailable right now. Please try again in a moment.',
  // OAuth 2.0 errors the IdP itself may send back (RFC 6749, 4.1.2.1).
  access_denied: 'Sign-in was cancelled or refused.',
  unauthorized_client: 'This app is not allowed to sign you in this way. Please contact support.',
  unsupported_response_type: 'This app is not allowed to sign you in this way. Please contact support.',
  invalid_scope: 'This app asked for access it is not allowed. Please contact support.',
  server_error: 'The sign-in service had a problem. Please try again in a moment.',
  temporarily_unavailable: 'The sign-in service is busy. Please try again in a moment.',
});

export const GENERIC_AUTH_ERROR = 'Sign-in did not complete. Please try again.';

/** The sentence to show for an `auth_error` value (any string). */
export function authErrorMessage(code) {
  return Object.prototype.hasOwnProperty.call(MESSAGES, code) ? MESSAGES[code] : GENERIC_AUTH_ERROR;
}
