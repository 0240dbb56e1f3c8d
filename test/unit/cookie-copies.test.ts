import { describe, expect, it } from 'vitest';
import { chunkedCandidates, cookieCopies, MAX_COPIES_PER_NAME } from '../../src/http/cookie-copies';

const ours = (name: string) => name.startsWith('rt');

describe('cookieCopies', () => {
  it('keeps every copy of the wanted names in header order, and nothing else', () => {
    const copies = cookieCopies('rt=a; other=x; rt=b;rt.0="c"; rt= d ; =nameless; broken', ours);
    expect(copies.get('rt')).toEqual(['a', 'b', 'd']);
    expect(copies.get('rt.0')).toEqual(['c']);
    expect(copies.has('other')).toBe(false);
  });

  it('keeps at most MAX_COPIES_PER_NAME copies of a name, whatever the header holds', () => {
    const header = Array.from({ length: 500 }, (_, i) => `rt=v${i}`).join('; ');
    expect(cookieCopies(header, ours).get('rt')).toHaveLength(MAX_COPIES_PER_NAME);
    expect(cookieCopies(undefined, ours).size).toBe(0);
  });
});

describe('chunkedCandidates', () => {
  const limits = { maxChunks: 8, maxCandidates: 8 };

  it('offers each plain copy, then each join of one copy per chunk', () => {
    const copies = cookieCopies('rt.1=B; rt=p; rt.0=a; rt.0=A; rt.1=b', ours);
    expect(chunkedCandidates(copies, 'rt', limits)).toEqual(['p', 'aB', 'ab', 'AB', 'Ab']);
  });

  it('joins only a contiguous run from chunk 0, and none when a chunk beyond the limit is present', () => {
    expect(chunkedCandidates(cookieCopies('rt.1=b; rt.2=c', ours), 'rt', limits)).toEqual([]);
    expect(chunkedCandidates(cookieCopies('rt.0=a; rt.2=c', ours), 'rt', limits)).toEqual(['a']);
    expect(chunkedCandidates(cookieCopies('rt=p; rt.0=a; rt.8=z', ours), 'rt', limits)).toEqual(['p']);
  });

  it('never offers more than maxCandidates values, however many copies of every chunk arrive', () => {
    const header = Array.from({ length: 8 }, (_, chunk) => Array.from({ length: 8 }, (_, copy) => `rt.${chunk}=${copy}`).join('; ')).join(
      '; ',
    );
    const candidates = chunkedCandidates(cookieCopies(header, ours), 'rt', limits);
    expect(candidates).toHaveLength(8);
    expect(candidates.every((value) => value.length === 8)).toBe(true);
  });
});
