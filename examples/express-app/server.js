// `npm start`: the app on PORT (default 3000), configured from the environment (the README's variables).
const { optionsFromEnv } = require('cognito-bff');
const { createApp } = require('./app');

async function main() {
  const { app, ready } = createApp(optionsFromEnv(process.env));
  await ready(); // the token keys, before the first request
  const port = Number(process.env.PORT || 3000);
  app.listen(port, () => console.log(`listening on http://localhost:${port}`));
}

main().catch((error) => {
  console.error(error.code === 'BFF_CONFIG_INVALID' ? error.message : error);
  process.exit(1);
});
