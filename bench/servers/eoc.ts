/**
 * The peer: express-openid-connect protecting the same route with its defaults (encrypted, rolling cookie session:
 * every response re-seals the session), `auth({ authRequired: false })` plus `requiresAuth()` on the route. The
 * authenticated path never contacts the issuer, so the fake IdP's URL stands in for the issuer.
 */
import http from 'node:http';
import express from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import { failStartup, serveBenchmark } from './ipc';

try {
  const settings = JSON.parse(process.env.BENCH_EOC ?? '{}') as {
    issuerBaseURL: string;
    clientID: string;
    clientSecret: string;
    secret: string;
  };
  const tests = (JSON.parse(process.env.BENCH_BODY ?? '{}') as { tests: unknown }).tests;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', true);
  app.set('query parser', 'simple');
  app.use(
    auth({
      authRequired: false,
      idpLogout: false,
      issuerBaseURL: settings.issuerBaseURL,
      baseURL: 'http://localhost:3000',
      clientID: settings.clientID,
      clientSecret: settings.clientSecret,
      secret: settings.secret,
      authorizationParams: { response_type: 'code', scope: 'openid email profile' },
    }),
  );
  app.get('/tests', requiresAuth(), (req, res) => {
    const user = req.oidc.user ?? {};
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      user: {
        sub: user.sub,
        username: user['cognito:username'],
        groups: user['cognito:groups'] ?? [],
        scope: ['openid', 'email', 'profile'],
      },
      tests,
    });
  });
  serveBenchmark(http.createServer(app));
} catch (error) {
  failStartup(error);
}
