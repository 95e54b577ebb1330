import { badRequest, LIMITS, parseMaxResults } from './wire.js';

/**
 * One page of a list ordered by creation (`seq`), with an opaque NextToken bound to the list it
 * came from: a token from another list, or a forged one, is a BadRequest.
 */
export function paginate<T extends { seq: number }>(items: readonly T[], query: URLSearchParams, scope: string): { page: T[]; nextToken?: string } {
  const max = parseMaxResults(query.get('max-results'));
  const token = query.get('next-token');
  let after = -Infinity;
  if (token !== null) {
    if (token.length > LIMITS.nextToken.max) throw badRequest(`next-token must be at most ${LIMITS.nextToken.max} characters`);
    after = decodeToken(token, scope);
  }
  const rest = [...items].sort((a, b) => a.seq - b.seq).filter((i) => i.seq > after);
  const page = rest.slice(0, max);
  return rest.length > max ? { page, nextToken: encodeToken(scope, page[page.length - 1]!.seq) } : { page };
}

export function encodeToken(scope: string, lastSeq: number): string {
  return Buffer.from(JSON.stringify({ s: scope, q: lastSeq }), 'utf8').toString('base64url');
}

export function decodeToken(token: string, scope: string): number {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; q?: unknown };
    if (t.s === scope && typeof t.q === 'number') return t.q;
  } catch {
    // fall through
  }
  throw badRequest('Invalid NextToken');
}
