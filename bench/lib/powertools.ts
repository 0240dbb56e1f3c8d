/**
 * Powertools for AWS Lambda against the BFF's own writers, on the hot path of a Lambda invocation, in this process:
 * - a log line: `@aws-lambda-powertools/logger`'s `Logger.info` vs the BFF's logger (src/logger.ts), the same refusal
 *   line with the same fields;
 * - an invocation's metrics: `@aws-lambda-powertools/metrics` (three values, a fourth with its own dimension through
 *   `singleMetric`, `publishStoredMetrics`) vs the BFF's EMF writer (src/metrics/emf.ts) recording and flushing the same.
 * Both write to stdout, which is swapped for a counter while they run (what reaches the stream is the same kind of
 * line). Rounds interleave the two; the ratio is the median of per-round ratios. Also: what each adds to a minified
 * bundle (esbuild, as scripts/bundle-lambda.mjs builds).
 */
import { build } from 'esbuild';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createLogger } from '../../src/logger';
import { createEmfRecorder, writeToStdout } from '../../src/metrics/emf';
import { median, round } from './stats';

export interface PowertoolsFigures {
  /** Lines (or invocations) per second, medians over rounds. */
  logLinesPerSecond: { bff: number; powertools: number };
  invocationsPerSecond: { bff: number; powertools: number };
  /** Powertools ÷ the BFF's own: below 1 means Powertools is slower. */
  loggerRatio: number;
  metricsRatio: number;
  /** Minified bytes each adds to a bundle. */
  bundleBytes: { bffLogger: number; powertoolsLogger: number; bffEmf: number; powertoolsMetrics: number };
  rounds: number;
}

const FIELDS = { path: '/tests', status: 401, code: 'invalid_token', reason: 'expired' };

/** Runs `fn` `count` times with stdout swapped for a counter; operations per second. */
function timed(count: number, fn: () => void): number {
  const write = process.stdout.write;
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    bytes += chunk.length;
    return true;
  }) as typeof process.stdout.write;
  try {
    const started = performance.now();
    for (let index = 0; index < count; index += 1) fn();
    const seconds = (performance.now() - started) / 1000;
    if (bytes === 0) throw new Error('nothing was written');
    return count / seconds;
  } finally {
    process.stdout.write = write;
  }
}

async function bundledBytes(contents: string): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: path.join(__dirname, '..', '..'), loader: 'ts' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents.length;
}

export async function measurePowertools(options: { rounds: number; log: (line: string) => void }): Promise<PowertoolsFigures> {
  const bffLogger = createLogger({ level: 'info' });
  const powertoolsLogger = new Logger({ serviceName: 'cognito-bff', logLevel: 'INFO' });
  const bffEmf = createEmfRecorder({ service: 'cognito-bff', namespace: 'CognitoBff', write: writeToStdout });
  const powertoolsMetrics = new Metrics({ namespace: 'CognitoBff', serviceName: 'cognito-bff' });

  const logLines = {
    bff: () => bffLogger.info('request refused', FIELDS),
    powertools: () => powertoolsLogger.info('request refused', FIELDS),
  };
  const invocations = {
    bff: () => {
      bffEmf.record('SignInCompleted', 1);
      bffEmf.record('CookieBytes', 2400);
      bffEmf.record('IdpLatency', 35);
      bffEmf.record('SignInFailed', 1, { code: 'invalid_state' });
      bffEmf.flush();
    },
    powertools: () => {
      powertoolsMetrics.addMetric('SignInCompleted', MetricUnit.Count, 1);
      powertoolsMetrics.addMetric('CookieBytes', MetricUnit.Bytes, 2400);
      powertoolsMetrics.addMetric('IdpLatency', MetricUnit.Milliseconds, 35);
      const single = powertoolsMetrics.singleMetric();
      single.addDimension('code', 'invalid_state');
      single.addMetric('SignInFailed', MetricUnit.Count, 1);
      powertoolsMetrics.publishStoredMetrics();
    },
  };
  const COUNT = 20_000;
  // Warm-up: both JIT-compiled before the first measured round.
  for (const fn of [...Object.values(logLines), ...Object.values(invocations)]) timed(COUNT, fn);
  const samples = {
    log: { bff: [] as number[], powertools: [] as number[] },
    metrics: { bff: [] as number[], powertools: [] as number[] },
  };
  for (let index = 0; index < options.rounds; index += 1) {
    const order = index % 2 === 0 ? (['bff', 'powertools'] as const) : (['powertools', 'bff'] as const);
    for (const name of order) samples.log[name].push(timed(COUNT, logLines[name]));
    for (const name of order) samples.metrics[name].push(timed(COUNT, invocations[name]));
    options.log(
      `powertools round ${index + 1}/${options.rounds}: log lines/s bff ${samples.log.bff[index]!.toFixed(0)}, powertools ${samples.log.powertools[index]!.toFixed(0)}; invocations/s bff ${samples.metrics.bff[index]!.toFixed(0)}, powertools ${samples.metrics.powertools[index]!.toFixed(0)}`,
    );
  }
  const ratio = (of: { bff: number[]; powertools: number[] }) =>
    round(median(of.powertools.map((value, index) => value / of.bff[index]!)), 3);
  return {
    logLinesPerSecond: { bff: round(median(samples.log.bff), 0), powertools: round(median(samples.log.powertools), 0) },
    invocationsPerSecond: { bff: round(median(samples.metrics.bff), 0), powertools: round(median(samples.metrics.powertools), 0) },
    loggerRatio: ratio(samples.log),
    metricsRatio: ratio(samples.metrics),
    bundleBytes: {
      bffLogger: await bundledBytes("export { createLogger } from './src/logger';"),
      powertoolsLogger: await bundledBytes("export { Logger } from '@aws-lambda-powertools/logger';"),
      bffEmf: await bundledBytes("export { createEmfRecorder } from './src/metrics/emf';"),
      powertoolsMetrics: await bundledBytes("export { Metrics } from '@aws-lambda-powertools/metrics';"),
    },
    rounds: options.rounds,
  };
}

export function renderPowertools(figures: PowertoolsFigures): string[] {
  const { bundleBytes: bytes } = figures;
  return [
    "| on a Lambda invocation's hot path | the BFF's own | Powertools | Powertools ÷ own | minified bytes, own / Powertools |",
    '| --- | ---: | ---: | ---: | ---: |',
    `| one refusal log line (lines/s) | ${figures.logLinesPerSecond.bff} | ${figures.logLinesPerSecond.powertools} | ${figures.loggerRatio} | ${bytes.bffLogger} / ${bytes.powertoolsLogger} |`,
    `| an invocation's metrics: 4 values, one with a dimension, one flush (invocations/s) | ${figures.invocationsPerSecond.bff} | ${figures.invocationsPerSecond.powertools} | ${figures.metricsRatio} | ${bytes.bffEmf} / ${bytes.powertoolsMetrics} |`,
  ];
}
