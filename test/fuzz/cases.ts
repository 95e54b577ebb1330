import { PROBLEM_BASE, PROBLEM_CONTENT_TYPE } from '../../src/http/problems.js';
import type { CryptoKey } from 'jose';
import type { RawRequest, RawResponse } from './http.js';

/** What every HTTP fuzz input is: a request built at run time (tokens, cursors) and what it must get. */
export interface HttpCase {
  /** `api#17`: unique, stable for a seed. */
  id: string;
  target: 'api' | 'tokens' | 'console';
  /** The input class: `body-field`, `query-extra`, `crafted-groups` … */
  group: string;
  /** `POST /reviews/{callbackId}/decision`, when the input aims at a route. */
  route?: string;
  /** What is hostile about it, in words. */
  name: string;
  expect: Expectation;
  build(ctx: RunContext): RawRequest | Promise<RawRequest>;
}

export interface Expectation {
  /** The statuses it may get. */
  statuses: number[];
  /** For a 4xx: the problem types (the last segment of `type`) it may be. Any when absent. */
  types?: string[];
  /** For a 400 invalid-request: one of `errors[].path` starts with this (`body`, `query.limit`). */
  errorPath?: string;
  /**
   * Not problem+json by design: the console's static file host answers its refusals as
   * text/plain (it serves a browser app, not the API; src/console-host/assets.ts).
   */
  plainText?: boolean | 'either';
  /** More checks; each string returned is a failure. */
  also?: (response: RawResponse, request: RawRequest) => string[];
}

/** Tokens and cursors: made once the stack runs. */
export interface RunContext {
  token(role: 'moderator' | 'admin' | 'member'): string;
  /** Real cursors issued by the API, to tamper with. */
  cursors: { reviews: string; policies: string; versions: string };
  /** A token from the stack's issuer with exactly these claims over the defaults. */
  mint(claims: Record<string, unknown>, options?: { ttlSeconds?: number; user?: string }): Promise<string>;
  /** The stack issuer's settings. */
  issuer: { issuer: string; audience: string; groupsClaim: string; keyId: string; publicJwk: Record<string, unknown> };
  /** A key pair that is not the issuer's (tokens signed by a stranger). */
  foreignKey: CryptoKey;
  /** Epoch ms on the stack's clock. */
  now(): number;
}

const problemTypeOf = (json: unknown): string | undefined => {
  const type = (json as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : undefined;
};

/** The failures of one answer against its expectation (empty: as it must be). */
export function judge(response: RawResponse, request: RawRequest, expect: Expectation): string[] {
  const failures: string[] = [];
  const { status } = response;
  const contentType = response.headers['content-type'] ?? '';
  if (status >= 500) failures.push(`answered ${status}: a server error for bad input`);
  else if (!expect.statuses.includes(status)) failures.push(`answered ${status}, expected ${expect.statuses.join(' or ')}`);
  const isHead = request.method === 'HEAD';
  if (status >= 400 && status < 600) {
    const plain = expect.plainText === true || (expect.plainText === 'either' && !contentType.startsWith(PROBLEM_CONTENT_TYPE));
    if (plain) {
      if (!/^text\/plain\b/.test(contentType)) failures.push(`content-type ${contentType || 'none'}, expected text/plain`);
      if (!isHead && response.text.trim() === '') failures.push('an empty refusal: it must say what is wrong');
    } else if (!contentType.startsWith(PROBLEM_CONTENT_TYPE)) {
      failures.push(`content-type ${contentType || 'none'}, expected ${PROBLEM_CONTENT_TYPE}`);
    } else if (!isHead) {
      const body = response.json as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object') failures.push('the problem body is not JSON');
      else {
        const type = problemTypeOf(body);
        if (!type?.startsWith(PROBLEM_BASE)) failures.push(`problem type ${JSON.stringify(type)} is not one of ours`);
        if (typeof body.title !== 'string' || body.title === '') failures.push('the problem has no title');
        if (body.status !== status) failures.push(`the problem's status ${JSON.stringify(body.status)} is not the answer's ${status}`);
        if (typeof body.detail !== 'string' || body.detail.trim() === '') failures.push('the problem has no detail');
        const name = type?.slice(PROBLEM_BASE.length);
        if (expect.types && status >= 400 && status < 500 && !expect.types.includes(name ?? '')) failures.push(`problem type ${name}, expected ${expect.types.join(' or ')}`);
        if (expect.errorPath !== undefined && name === 'invalid-request') {
          const paths = Array.isArray(body.errors) ? body.errors.map((e) => String((e as { path?: unknown }).path)) : [];
          if (!paths.some((p) => p === expect.errorPath || p.startsWith(`${expect.errorPath}.`))) {
            failures.push(`errors name ${JSON.stringify(paths)}, none at ${expect.errorPath}`);
          }
        }
      }
    }
    if (status === 401 && !/^Bearer\b/.test(response.headers['www-authenticate'] ?? '')) failures.push('a 401 without `WWW-Authenticate: Bearer`');
    if (status === 405 && !response.headers.allow) failures.push('a 405 without `Allow`');
  }
  failures.push(...(expect.also?.(response, request) ?? []));
  return failures;
}
