/**
 * Faults dynalite cannot produce, injected where the SDK meets HTTP: the request handler answers as DynamoDB does
 * when it throttles (status 400, `application/x-amz-json-1.0`, a `__type` naming the exception), so the SDK's own
 * parsing and retry logic see exactly what they would see from AWS. Everything else passes through to dynalite.
 */
import { Readable } from 'node:stream';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';

/** DynamoDB's throttling answers (AWS documentation, "Error handling with DynamoDB"). */
export const THROTTLING = {
  provisioned: {
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message:
      'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  throttling: { type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
} as const;

export class FaultyRequestHandler {
  /** While set, every call answers this error. */
  fault: (typeof THROTTLING)[keyof typeof THROTTLING] | undefined;
  /** Calls answered with the fault (the SDK retries: more than one per store call). */
  faulted = 0;
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly inner = new NodeHttpHandler({ connectionTimeout: 10_000, requestTimeout: 20_000 });

  handle(request: Parameters<NodeHttpHandler['handle']>[0], options?: HttpHandlerOptions): ReturnType<NodeHttpHandler['handle']> {
    if (!this.fault) return this.inner.handle(request, options);
    this.faulted += 1;
    const body = JSON.stringify({ __type: this.fault.type, message: this.fault.message });
    return Promise.resolve({
      response: {
        statusCode: 400,
        reason: 'Bad Request',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': 'FAULTINJECTED',
          'content-length': String(body.length),
        },
        body: Readable.from([Buffer.from(body)]),
      },
    });
  }

  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
  destroy(): void {
    this.inner.destroy();
  }
}
