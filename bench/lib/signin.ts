/**
 * A browser's sign-in, as fast as the fake IdP lets it: GET /auth/login (302 to the hosted UI plus a transaction
 * cookie), the hosted UI's answer (the fake IdP mints a code bound to that authorize URL, no page, no password),
 * GET /auth/callback?code&state with the transaction cookie (the BFF exchanges the code at the fake IdP's token
 * endpoint, verifies both tokens, seals the session): 302 with the session cookies.
 */
import type { FakeIdp } from '../../test/support/fake-idp';
import { get, setCookies } from './http';

export interface SessionCookies {
  /** Cookie header a browser sends to `/tests` (Path=/ cookies). */
  forApi: string;
  /** Cookie header a browser sends to `/auth/*` (adds the refresh cookie scoped to /auth). */
  forAuth: string;
  accessToken: string;
}

export async function signIn(bffUrl: string, idp: FakeIdp): Promise<SessionCookies> {
  const login = await get(`${bffUrl}/auth/login`);
  const location = login.headers.location;
  if (login.status !== 302 || !location) throw new Error(`/auth/login answered ${login.status}`);
  const transaction = setCookies(login).find((cookie) => cookie.value !== '');
  if (!transaction) throw new Error('/auth/login set no transaction cookie');
  const code = idp.issueCode(location);
  const state = new URL(location).searchParams.get('state') ?? '';
  const callback = await get(`${bffUrl}/auth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, {
    cookie: `${transaction.name}=${transaction.value}`,
  });
  const issued = setCookies(callback).filter((cookie) => cookie.value !== '');
  const access = issued.find((cookie) => cookie.name === '__Host-bff-at');
  if (callback.status !== 302 || !access)
    throw new Error(`/auth/callback answered ${callback.status} without a session (${callback.headers.location ?? ''})`);
  const header = (pathPrefix: string) =>
    issued
      .filter((cookie) => pathPrefix.startsWith(cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  return { forApi: header('/tests'), forAuth: header('/auth/session'), accessToken: access.value };
}

/** Signs in over and over with `concurrency` parallel browsers for `seconds`; returns the count of completed sign-ins. */
export async function signInLoop(bffUrl: string, idp: FakeIdp, seconds: number, concurrency: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let completed = 0;
  const browser = async () => {
    while (Date.now() < deadline) {
      await signIn(bffUrl, idp);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, browser));
  return completed;
}
