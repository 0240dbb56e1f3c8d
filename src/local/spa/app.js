// Demo SPA for cognito-bff. Plain script, no build. It holds no token and stores nothing in the browser: the session
// lives in HttpOnly cookies that only the BFF reads. Every call sends those cookies (`credentials: 'include'`), and
// every unsafe call carries `X-CSRF: 1`, which the BFF requires.
'use strict';

(function main() {
  const $ = (id) => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`missing element #${id}`);
    return element;
  };

  /** Calls the BFF; resolves to { status, body } whatever the status. Paths are relative to the page. */
  async function callBff(method, path, { csrf = false } = {}) {
    const headers = { Accept: 'application/json' };
    if (csrf) headers['X-CSRF'] = '1';
    const response = await fetch(path, { method, headers, credentials: 'include', cache: 'no-store' });
    const isJson = (response.headers.get('content-type') || '').includes('application/json');
    const body = isJson ? await response.json().catch(() => null) : null;
    return { status: response.status, body };
  }

  function describeFailure(result) {
    const detail = result.body && (result.body.message || result.body.error);
    return `HTTP ${result.status}${detail ? `: ${detail}` : ''}`;
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

  function renderSignedOut(logoutUrl) {
    $('status').textContent = 'Signed out';
    $('signed-in-view').hidden = true;
    $('signed-out-view').hidden = false;
    $('tests-result').hidden = true;
    $('tests-result').textContent = '';
    $('tests-caption').hidden = true;
    // The BFF signed us out; the IdP's own session would sign us straight back in. Offer its logout, never force it:
    // the local emulator has no /logout page.
    $('cognito-logout').hidden = !logoutUrl;
    if (logoutUrl) {
      $('cognito-logout-link').setAttribute('href', logoutUrl);
      $('cognito-logout-link').title = logoutUrl;
    }
  }

  function renderSignedIn(session) {
    const user = session.user || {};
    $('status').textContent = `Signed in as ${user.email || user.username || user.sub}`;
    $('user-email').textContent = user.email || '—';
    $('user-username').textContent = user.username || '—';
    $('user-sub').textContent = user.sub || '—';
    $('user-groups').textContent = Array.isArray(user.groups) && user.groups.length ? user.groups.join(', ') : '(none)';
    $('expires-at').textContent = formatExpiry(session.expiresAt);
    $('signed-out-view').hidden = true;
    $('signed-in-view').hidden = false;
  }

  async function loadSession() {
    let result = await callBff('GET', 'auth/session');
    // Access tokens are short-lived (15 minutes): an expired one is renewed once, silently, from the refresh cookie.
    if (result.status === 401 && (await callBff('POST', 'auth/refresh', { csrf: true })).status === 200) {
      result = await callBff('GET', 'auth/session');
    }
    if (result.status === 200 && result.body && result.body.authenticated) renderSignedIn(result.body);
    else if (result.status === 401) renderSignedOut();
    else {
      renderSignedOut();
      showError(`Could not read the session: ${describeFailure(result)}`);
    }
  }

  /** Disables the button while its action runs, and turns a network failure into a visible error. */
  function onClick(id, action) {
    const button = $(id);
    button.addEventListener('click', async () => {
      button.disabled = true;
      showError('');
      try {
        await action();
      } catch (error) {
        showError(`Request failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        button.disabled = false;
      }
    });
  }

  function signIn() {
    // Come back to this page after signing in (the BFF only accepts same-origin paths or allowed origins).
    const returnTo = encodeURIComponent(window.location.pathname).replace(/%2F/g, '/');
    window.location.assign(`auth/login?returnTo=${returnTo}`);
  }

  async function callTests() {
    const result = await callBff('GET', 'tests');
    const ok = result.status === 200;
    const caption = $('tests-caption');
    caption.textContent = `GET /tests: HTTP ${result.status}${ok ? ' OK' : ''}`;
    caption.classList.toggle('failed', !ok);
    caption.hidden = false;
    const output = $('tests-result');
    output.hidden = false;
    output.classList.toggle('failed', !ok);
    output.textContent = ok ? JSON.stringify(result.body, null, 2) : `Error: ${describeFailure(result)}`;
  }

  async function refresh() {
    const result = await callBff('POST', 'auth/refresh', { csrf: true });
    if (result.status === 200 && result.body) {
      $('expires-at').textContent = `${formatExpiry(result.body.expiresAt)} (refreshed)`;
    } else if (result.status === 401) {
      renderSignedOut();
      showError('The session has ended; sign in again.');
    } else {
      showError(`Refresh failed: ${describeFailure(result)}`);
    }
  }

  async function signOut() {
    const result = await callBff('POST', 'auth/logout', { csrf: true });
    if (result.status === 200) renderSignedOut(result.body && result.body.logoutUrl);
    else showError(`Sign-out failed: ${describeFailure(result)}`);
  }

  /** Shows `auth_error` from a failed sign-in once, then drops it from the address bar so a reload does not repeat it. */
  function showAuthErrorFromUrl() {
    const url = new URL(window.location.href);
    const authError = url.searchParams.get('auth_error');
    if (!authError) return;
    showError(`Sign-in failed: ${authError}`);
    url.searchParams.delete('auth_error');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  onClick('sign-in', async () => signIn());
  onClick('call-tests', callTests);
  onClick('refresh', refresh);
  onClick('sign-out', signOut);
  showAuthErrorFromUrl();
  loadSession().catch((error) => {
    renderSignedOut();
    showError(`Could not reach the BFF: ${error instanceof Error ? error.message : String(error)}`);
  });
})();
