/**
 * Environment switches that keep test output to what matters, by the libraries' own knobs rather than by muting
 * stderr: the AWS SDK v3 prints a Node-version support notice on Node 20 (once per process that loads it), and
 * aws-sdk v2 (inside cognito-local) a maintenance-mode notice. vitest's workers get the same two from vitest.config.mts; a
 * test that spawns a process with an environment of its own spreads these in.
 */
export const QUIET_ENV: Record<string, string> = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
};
