// Demo SPA for cognito-bff: an ES module, no build of its own. It holds no token and stores nothing in the browser:
// the session lives in HttpOnly cookies that only the BFF reads. It talks to the BFF through the browser client
// (cognito-bff/client, served beside this file as bff-client.js), which sends the cookies and `X-CSRF: 1`, and renews
// an expired access token once for every call that meets it, in every tab.
import { createBffClient } from './bff-client.js';
import { authErrorMessage } from './auth-errors.js';
import { displayName } from './user-name.js';

const $ = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing element #${id}`);
  return element;
};

// The BFF serves this page, so it is where this page is (a stage or base path included).
const client = createBffClient({ baseUrl: new URL('.', window.location.href).href });

const state = { signedIn: false };

function describeFailure(status, body) {
  const detail = body && typeof body === 'object' ? body.message || body.error : undefined;
  return `HTTP ${status}${detail ? `: ${detail}` : ''}`;
}

async function readBody(response) {
  const isJson = (response.headers.get('content-type') || '').includes('application/json');
  return isJson ? response.json().catch(() => null) : null;
}

function showError(message) {
  const error = $('error');
  error.textContent = message;
  error.hidden = !message;
}

function formatExpiry(epochSeconds) {
  if (typeof epochSeconds !== 'number') return 'unknown';
  const minutes = Math.round((epochSeconds * 1000 - Date.now()) / 60000);
  const when = new Date(epochSeconds * 1000).toLocaleTimeString();
  return minutes >= 0 ? `${when} (in ${minutes} min)` : `${when} (expired)`;
}

/** Epoch seconds, epoch milliseconds or an ISO string, as a local date and time. */
function formatWhen(value) {
  const date = typeof value === 'number' ? new Date(value < 1e12 ? value * 1000 : value) : new Date(String(value));
  return Number.isNaN(date.getTime()) ? 'unknown' : date.toLocaleString();
}

function renderSignedOut(logoutUrl) {
  state.signedIn = false;
  $('status').textContent = 'Signed out';
  $('signed-in-view').hidden = true;
  $('signed-out-view').hidden = false;
  $('tests-result').hidden = true;
  $('tests-result').textContent = '';
  $('tests-caption').hidden = true;
  $('sessions').hidden = true;
  $('sessions-list').replaceChildren();
  // The BFF signed us out; the IdP's own session would sign us straight back in. Offer its logout, never force it.
  $('cognito-logout').hidden = !logoutUrl;
  if (logoutUrl) {
    $('cognito-logout-link').setAttribute('href', logoutUrl);
    $('cognito-logout-link').title = logoutUrl;
  }
}

function renderSignedIn(session) {
  state.signedIn = true;
  const user = session.user || {};
  $('status').textContent = `Signed in as ${displayName(user)}`;
  $('user-email').textContent = user.email || '—';
  $('user-username').textContent = user.username || '—';
  $('user-sub').textContent = user.sub || '—';
  $('user-groups').textContent = Array.isArray(user.groups) && user.groups.length ? user.groups.join(', ') : '(none)';
  $('expires-at').textContent = formatExpiry(session.expiresAt);
  $('signed-out-view').hidden = true;
  $('signed-in-view').hidden = false;
}

/** The user's sessions, when the BFF keeps them server-side; otherwise (404, 501, anything else) no panel. */
async function loadSessions() {
  const response = await client.fetch('auth/sessions', { headers: { Accept: 'application/json' } });
  const body = await readBody(response);
  const sessions = response.ok && body && Array.isArray(body.sessions) ? body.sessions : undefined;
  $('sessions').hidden = !sessions;
  if (!sessions) return;
  $('sessions-list').replaceChildren(...sessions.map(sessionRow));
}

function sessionRow(session) {
  const row = document.createElement('li');
  row.dataset.sessionId = String(session.id);
  const text = document.createElement('span');
  text.className = 'session-text';
  text.textContent = session.userAgent || 'Unknown browser';
  const meta = document.createElement('span');
  meta.className = 'session-meta';
  meta.textContent = `signed in ${formatWhen(session.createdAt)} · last seen ${formatWhen(session.lastSeenAt)}`;
  text.append(meta);
  row.append(text);
  if (session.current) {
    const current = document.createElement('span');
    current.className = 'current';
    current.textContent = 'This browser';
    row.append(current);
  } else {
    const end = document.createElement('button');
    end.type = 'button';
    end.className = 'end-session';
    end.textContent = 'Sign out';
    end.addEventListener('click', () => guarded(end, () => endSession(session.id)));
    row.append(end);
  }
  return row;
}

async function endSession(id) {
  const response = await client.fetch(`auth/sessions/${encodeURIComponent(String(id))}`, { method: 'DELETE' });
  if (!response.ok && response.status !== 404) {
    showError(`Could not end that session: ${describeFailure(response.status, await readBody(response))}`);
  }
  await loadSessions();
}

async function loadSession() {
  const session = await client.session();
  if (!session.authenticated) {
    renderSignedOut();
    return;
  }
  renderSignedIn(session);
  await loadSessions();
}

/** Disables the button while its action runs, and turns a failure into a human sentence. */
async function guarded(button, action) {
  button.disabled = true;
  showError('');
  try {
    await action();
  } catch (error) {
    // A BffClientError carries the BFF's own sentence; anything else is the network.
    const refused = error instanceof Error && error.name === 'BffClientError';
    showError(refused ? `The server refused: ${error.message}` : 'Could not reach the server. Check the connection and try again.');
  } finally {
    button.disabled = false;
  }
}

function onClick(id, action) {
  const button = $(id);
  button.addEventListener('click', () => guarded(button, action));
}

async function callTests() {
  const response = await client.fetch('tests', { headers: { Accept: 'application/json' } });
  const body = await readBody(response);
  const ok = response.status === 200;
  const caption = $('tests-caption');
  caption.textContent = `GET /tests: HTTP ${response.status}${ok ? ' OK' : ''}`;
  caption.classList.toggle('failed', !ok);
  caption.hidden = false;
  const output = $('tests-result');
  output.hidden = false;
  output.classList.toggle('failed', !ok);
  output.textContent = ok ? JSON.stringify(body, null, 2) : `Error: ${describeFailure(response.status, body)}`;
}

/**
 * The Refresh button asks for new tokens now, to show that it works. An app never needs to: `client.fetch` renews by
 * itself when a call meets an expired token.
 */
async function refresh() {
  const response = await fetch(new URL('auth/refresh', window.location.href), {
    method: 'POST',
    credentials: 'include',
    headers: { Accept: 'application/json', 'X-CSRF': '1' },
  });
  const body = await readBody(response);
  if (response.status === 200 && body) {
    $('expires-at').textContent = `${formatExpiry(body.expiresAt)} (refreshed)`;
  } else if (response.status === 401) {
    renderSignedOut();
    showError('The session has ended; sign in again.');
  } else {
    showError(`Refresh failed: ${describeFailure(response.status, body)}`);
  }
}

async function signOut(everywhere) {
  const { logoutUrl } = await client.logout({ everywhere });
  renderSignedOut(logoutUrl);
}

/** Shows the sentence for `auth_error` from a failed sign-in once, then drops it from the address bar. */
function showAuthErrorFromUrl() {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('auth_error')) return;
  showError(authErrorMessage(url.searchParams.get('auth_error')));
  url.searchParams.delete('auth_error');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}

// A call found the session over, or another tab signed out: say so, once, on a page that showed a session.
client.on('signedout', (event) => {
  if (!state.signedIn) return;
  renderSignedOut();
  showError(event.reason === 'logout' ? 'You signed out in another tab.' : 'Your session has ended. Please sign in again.');
});

onClick('sign-in', async () => client.login());
onClick('call-tests', callTests);
onClick('refresh', refresh);
onClick('sign-out', () => signOut(false));
onClick('sign-out-everywhere', () => signOut(true));
showAuthErrorFromUrl();
loadSession().catch(() => {
  renderSignedOut();
  showError('Could not reach the server to read the session. Try reloading the page.');
});
