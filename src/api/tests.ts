/**
 * GET /tests: the sample protected resource, behind `requireAuth` like any team's route. The caller's identity comes
 * from a verified access token only.
 */
import type { Request, Response } from 'express';

/** The sample data the seed's API served. */
const TESTS = [
  { id: 'unit', name: 'Unit tests', status: 'passed' },
  { id: 'integration', name: 'Integration tests', status: 'passed' },
  { id: 'e2e', name: 'End-to-end tests', status: 'pending' },
] as const;

export function testsRoute(req: Request, res: Response): void {
  const auth = req.auth;
  if (!auth) throw new Error('GET /tests is mounted without requireAuth');
  res.setHeader('Cache-Control', 'no-store');
  sendJson(res, 200, { user: { sub: auth.sub, username: auth.username, groups: auth.groups, scope: auth.scopes }, tests: TESTS });
}

/**
 * The bytes and headers `res.status(status).json(body)` sends here (`Content-Type: application/json; charset=utf-8`,
 * `Content-Length`; no ETag: the app disables it), without Express's per-call content-type parsing and formatting,
 * setting lookups and freshness check: this route answers every API call of a signed-in SPA. Node sends no body for
 * HEAD.
 */
function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
