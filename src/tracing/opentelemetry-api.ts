/**
 * `@opentelemetry/api`, when the application has it. It is an optional peer of this package, not a dependency: every
 * OpenTelemetry SDK brings it, so a team that runs one gets the BFF's spans and metrics beside its own (the API finds
 * the SDK the team registered through its process-wide registry), and a team that runs none loads nothing.
 *
 * Loaded synchronously and once, with `require` (the package is CommonJS; its ESM face re-exports it): the request
 * span starts before the first await of a request. In the Lambda bundle the module stays outside the bundle, so a
 * layer that provides it (the ADOT layer, on NODE_PATH) is found at run time.
 *
 * Only the few members used here are typed, by hand: the package's public types never mention the optional peer.
 */

export type OtelAttributes = Record<string, string | number | boolean>;

/** An OpenTelemetry context: immutable, values by key. */
export interface OtelContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): OtelContext;
}

export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  updateName(name: string): unknown;
  end(): void;
  isRecording(): boolean;
}

export interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: OtelAttributes }, context?: OtelContext): OtelSpan;
}

export interface OtelMeter {
  createCounter(name: string, options?: { unit?: string; description?: string }): { add(value: number, attributes?: OtelAttributes): void };
  createHistogram(
    name: string,
    options?: { unit?: string; description?: string },
  ): {
    record(value: number, attributes?: OtelAttributes): void;
  };
}

export interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpan(context: OtelContext): OtelSpan | undefined;
    /** The global provider: the API's proxy, whose delegate is the SDK's provider once one is registered. */
    getTracerProvider(): object;
  };
  context: { active(): OtelContext; with<T>(context: OtelContext, fn: () => T): T };
  createContextKey(description: string): symbol;
  propagation: { inject(context: OtelContext, carrier: Record<string, unknown>): void };
  metrics: { getMeter(name: string, version?: string): OtelMeter };
}

/** The API's SpanKind and SpanStatusCode values (stable since 1.0). */
export const SPAN_KIND = { internal: 0, server: 1, client: 2 } as const;
export const SPAN_STATUS_ERROR = 2;

/** The name spans and metrics are reported under. */
export const INSTRUMENTATION_NAME = 'cognito-bff';

let loaded: OtelApi | null | undefined;

// A name in a variable: neither resolved at compile time nor pulled into the Lambda bundle.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronous on purpose (see above)
const requireModule = (name: string): unknown => require(name) as unknown;

/** Loads a module by name; throws when it is not installed. Replaceable in tests (the API absent). */
let loadModule = requireModule;

/** `@opentelemetry/api`, or undefined when the application does not have it. Resolved on the first call only. */
export function openTelemetryApi(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = loadModule('@opentelemetry/api') as OtelApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** Tests: load modules with `loader` (one that throws: the API is not installed); no loader restores `require`. */
export function setOpenTelemetryLoaderForTests(loader: (name: string) => unknown = requireModule): void {
  loadModule = loader;
  loaded = undefined;
}
