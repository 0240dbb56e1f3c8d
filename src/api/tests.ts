/** GET /tests: the sample protected resource. The caller's identity comes from a verified access token only. */
import type { Request, Response } from 'express';
import type { Identity } from '../auth/guards';

/** The sample data the seed's API served. */
const TESTS = [
  { id: 'unit', name: 'Unit tests', status: 'passed' },
  { id: 'integration', name: 'Integration tests', status: 'passed' },
  { id: 'e2e', name: 'End-to-end tests', status: 'pending' },
] as const;

export function testsRoute(req: Request, res: Response): void {
  const identity = res.locals.identity as Identity;
  const { claims } = identity;
  res.status(200).json({
    user: { sub: claims.sub, username: claims.username, groups: claims.groups, scope: claims.scope },
    tests: TESTS,
  });
}
