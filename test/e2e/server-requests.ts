/**
 * What the product's server saw, counted from its own log: with LOG_LEVEL=debug it writes one JSON line per request
 * (`{"msg":"request","method","path","status"}`). A marker request before and after the action brackets the lines
 * that belong to it, since the log reaches this process some time after the browser has its answers.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { RunningProduct } from './product';

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export async function serverRequestsDuring<T>(
  product: RunningProduct,
  action: () => Promise<T>,
): Promise<{ result: T; requests: LoggedRequest[] }> {
  const start = await mark(product, 'start');
  const result = await action();
  const end = await mark(product, 'end');
  const output = product.output() ?? '';
  const between = output.slice(output.indexOf(start), output.indexOf(end));
  const requests = between
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    })
    .filter((line) => line.msg === 'request' && typeof line.method === 'string' && typeof line.path === 'string')
    .map((line) => ({ method: String(line.method), path: String(line.path), status: Number(line.status) }))
    .filter((request) => !request.path.startsWith('/e2e-marker-'));
  return { result, requests };
}

/** Requests a path of its own (a 404) and waits until the product's log shows it. */
async function mark(product: RunningProduct, label: string): Promise<string> {
  const path = `/e2e-marker-${label}-${randomUUID()}`;
  await fetch(`${product.baseUrl}${path}`);
  await expect.poll(() => product.output()?.includes(`"path":"${path}"`), { timeout: 10_000 }).toBe(true);
  return `"path":"${path}"`;
}
