// Runs in a fresh `node` process (no tsx, no loader): loads a Lambda bundle and, unless the mode is `load`, sends it
// its first API Gateway REST v1 event. Prints one JSON line with the timings. Usage:
//   node bench/lambda-probe.cjs <bundle> load|builtins|healthz|tests [accessToken]
// `builtins` adds the public Node built-in modules the `require` loaded (Node's own load list, before and after).
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run by node without a loader */
'use strict';
const { performance } = require('node:perf_hooks');

const [bundle, mode, token] = process.argv.slice(2);

function event(path, headers) {
  const all = { Host: 'abc123.execute-api.us-west-2.amazonaws.com', 'X-Forwarded-Proto': 'https', ...headers };
  const multiValueHeaders = {};
  for (const [name, value] of Object.entries(all)) multiValueHeaders[name] = [value];
  return {
    resource: path,
    path,
    httpMethod: 'GET',
    headers: all,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: 'GET',
      identity: { sourceIp: '203.0.113.7', userAgent: 'bench' },
      path: `/dev${path}`,
      stage: 'dev',
      requestId: 'bench-request',
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: path,
    },
    body: null,
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 29_000 };

(async () => {
  const loadedBefore = process.moduleLoadList.length;
  const started = performance.now();
  const { handler } = require(bundle);
  const loaded = performance.now();
  const out = { requireMs: loaded - started };
  if (mode === 'builtins') {
    out.builtins = process.moduleLoadList
      .slice(loadedBefore)
      .filter((entry) => entry.startsWith('NativeModule ') && !entry.includes('internal/'))
      .map((entry) => entry.slice('NativeModule '.length));
  } else if (mode !== 'load') {
    const first = mode === 'tests' ? event('/tests', { Authorization: `Bearer ${token}` }) : event('/healthz', {});
    const result = await handler(first, context);
    out.firstRequestMs = performance.now() - loaded;
    out.totalMs = performance.now() - started;
    out.status = result.statusCode;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  // Module scope started a JWKS hydration; in `load` mode it points at a closed port. Do not wait for anything.
  process.exit(0);
})().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error && error.message) }) + '\n');
  process.exit(1);
});
