// A team's own Express app with cognito-bff added: the BFF's router (/healthz, /auth/*) beside the team's routes,
// three of them: one open, one for any signed-in user, one for members of a Cognito group.
const express = require('express');
const { createBff } = require('cognito-bff');

/** @param {import('cognito-bff').BffOptions} options */
function createApp(options) {
  const bff = createBff(options);
  const app = express();
  app.use(bff.router);

  app.get('/api/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });

  // req.auth is set by requireAuth: who the verified access token says the caller is.
  app.get('/api/me', bff.requireAuth(), (req, res) => {
    res.json({ sub: req.auth.sub, username: req.auth.username, groups: req.auth.groups, via: req.auth.via });
  });

  app.get('/api/reports', bff.requireAuth({ groups: ['testers'] }), (_req, res) => {
    res.json({ reports: ['weekly', 'monthly'] });
  });

  app.get('/api/admin', bff.requireAuth({ groups: ['admins'] }), (_req, res) => {
    res.json({ admin: true });
  });

  return { app, ready: bff.ready };
}

module.exports = { createApp };
