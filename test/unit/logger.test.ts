import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets } from '../../src/logger';

describe('logger', () => {
  it('writes one JSON object a line, at or above its level, with the injected time', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line), now: () => 0 });
    logger.debug('hidden');
    logger.info('shown', { path: '/x', status: 200 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'shown', path: '/x', status: 200 });
  });

  it('masks anything shaped like a JWT or a sealed value, even where a caller slipped one in', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const sealed = 'v1.' + 'A'.repeat(40);
    expect(maskSecrets(`token ${jwt} and ${sealed}`)).toBe('token [redacted] and [redacted]');
    const lines: string[] = [];
    createLogger({ level: 'debug', write: (line) => lines.push(line) }).warn('oops', { reason: jwt });
    expect(lines[0]).not.toContain(jwt);
  });
});
