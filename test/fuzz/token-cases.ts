import { accessOf } from '../../src/http/route.js';
import { SignJWT } from 'jose';
import type { HttpCase, RunContext } from './cases.js';
import { draftRequest, type RouteInfo } from './api-cases.js';
import { headerSafe } from './hostile.js';
import type { Rng } from './random.js';

/**
 * Target 3: hostile callers. Every route but the public document, with an Authorization header
 * that must not get in (401 problem+json with `WWW-Authenticate: Bearer`), or a token of the
 * right issuer whose groups are crafted to look like a role (403: roles come from exact group
 * names, never from splitting, trimming or unwrapping one). Nothing a hostile caller sends ever
 * gets a 200, and a crafted admin is never an admin.
 */

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const nowSeconds = (ctx: RunContext) => Math.floor(ctx.now() / 1000);

/** Claims a valid admin token would carry, for forgeries. */
const adminClaims = (ctx: RunContext) => ({
  iss: ctx.issuer.issuer,
  aud: ctx.issuer.audience,
  sub: 'mallory',
  username: 'mallory',
  exp: nowSeconds(ctx) + 3600,
  iat: nowSeconds(ctx),
  [ctx.issuer.groupsClaim]: ['moderators', 'admins'],
});

type Authorization = { label: string; headers: (ctx: RunContext) => Promise<string[]> };

const bearer = (token: string) => [`Bearer ${token}`];

/** Authorization headers that must answer 401. */
const UNAUTHENTICATED: Authorization[] = [
  { label: 'no Authorization', headers: async () => [] },
  { label: 'an empty Authorization', headers: async () => [''] },
  { label: '`Bearer` alone', headers: async () => ['Bearer'] },
  { label: '`Bearer` and spaces', headers: async () => ['Bearer    '] },
  { label: 'Basic credentials', headers: async () => ['Basic dXNlcjpwYXNzd29yZA=='] },
  { label: 'Bearer garbage', headers: async () => ['Bearer garbage'] },
  { label: 'three dots of nothing', headers: async () => ['Bearer a.b.c'] },
  { label: 'a 12,000-character token', headers: async () => [`Bearer ${'eyJ'.padEnd(12_000, 'A')}`] },
  { label: 'a huge Authorization of spaces and junk', headers: async () => [`Bearer ${'x '.repeat(3000)}`] },
  { label: 'JSON claims instead of a JWT', headers: async (ctx) => bearer(JSON.stringify(adminClaims(ctx))) },
  {
    label: 'a signature character changed',
    headers: async (ctx) => {
      const [h, p, s] = (await ctx.mint({ [ctx.issuer.groupsClaim]: ['moderators', 'admins'] })).split('.') as [string, string, string];
      const i = Math.floor(s.length / 2);
      return bearer(`${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`);
    },
  },
  {
    label: 'a moderator token with its payload made admin',
    headers: async (ctx) => {
      const [h, , s] = (await ctx.mint({ [ctx.issuer.groupsClaim]: ['moderators'] })).split('.') as [string, string, string];
      return bearer(`${h}.${b64(adminClaims(ctx))}.${s}`);
    },
  },
  { label: 'alg none', headers: async (ctx) => bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(adminClaims(ctx))}.`) },
  { label: 'alg None, kid of the issuer', headers: async (ctx) => bearer(`${b64({ alg: 'None', kid: ctx.issuer.keyId })}.${b64(adminClaims(ctx))}.`) },
  {
    label: 'HS256 keyed with the public key',
    headers: async (ctx) => {
      const secret = new TextEncoder().encode(JSON.stringify(ctx.issuer.publicJwk));
      return bearer(await new SignJWT(adminClaims(ctx)).setProtectedHeader({ alg: 'HS256', kid: ctx.issuer.keyId }).sign(secret));
    },
  },
  { label: 'signed by a foreign key with the issuer’s kid', headers: async (ctx) => bearer(await new SignJWT(adminClaims(ctx)).setProtectedHeader({ alg: 'RS256', kid: ctx.issuer.keyId }).sign(ctx.foreignKey)) },
  { label: 'signed by a foreign key, no kid', headers: async (ctx) => bearer(await new SignJWT(adminClaims(ctx)).setProtectedHeader({ alg: 'RS256' }).sign(ctx.foreignKey)) },
  { label: 'an unknown kid', headers: async (ctx) => bearer(await new SignJWT(adminClaims(ctx)).setProtectedHeader({ alg: 'RS256', kid: 'fuzz-kid' }).sign(ctx.foreignKey)) },
  { label: 'expired an hour ago', headers: async (ctx) => bearer(await ctx.mint({ [ctx.issuer.groupsClaim]: ['moderators', 'admins'] }, { ttlSeconds: -3600 })) },
  { label: 'not valid for another hour (nbf)', headers: async (ctx) => bearer(await ctx.mint({ nbf: nowSeconds(ctx) + 3600, [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'another issuer', headers: async (ctx) => bearer(await ctx.mint({ iss: 'https://evil.example', [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'the issuer with a trailing slash', headers: async (ctx) => bearer(await ctx.mint({ iss: `${ctx.issuer.issuer}/`, [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'another audience', headers: async (ctx) => bearer(await ctx.mint({ aud: 'someone-else', [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'an audience list without ours', headers: async (ctx) => bearer(await ctx.mint({ aud: ['a', 'b', `${ctx.issuer.audience} `], [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'no aud and another client_id', headers: async (ctx) => bearer(await ctx.mint({ aud: undefined, client_id: 'other-client', [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'no sub', headers: async (ctx) => bearer(await ctx.mint({ sub: undefined, [ctx.issuer.groupsClaim]: ['moderators', 'admins'] })) },
  { label: 'an empty sub', headers: async (ctx) => bearer(await ctx.mint({ sub: '', [ctx.issuer.groupsClaim]: ['moderators', 'admins'] })) },
  { label: 'a numeric sub', headers: async (ctx) => bearer(await ctx.mint({ sub: 12345, [ctx.issuer.groupsClaim]: ['moderators', 'admins'] })) },
  { label: 'no exp', headers: async (ctx) => bearer(await ctx.mint({ exp: undefined, [ctx.issuer.groupsClaim]: ['moderators', 'admins'] })) },
  { label: 'exp as a string', headers: async (ctx) => bearer(await ctx.mint({ exp: String(nowSeconds(ctx) + 3600), [ctx.issuer.groupsClaim]: ['admins'] })) },
  { label: 'two tokens in one header', headers: async (ctx) => { const t = await ctx.mint({ [ctx.issuer.groupsClaim]: ['admins'] }); return [`Bearer ${t} ${t}`]; } },
  { label: 'a trailing comma', headers: async (ctx) => [`Bearer ${await ctx.mint({ [ctx.issuer.groupsClaim]: ['admins'] })},`] },
  { label: 'header and payload only', headers: async (ctx) => bearer((await ctx.mint({ [ctx.issuer.groupsClaim]: ['admins'] })).split('.').slice(0, 2).join('.')) },
  { label: 'five parts (JWE-shaped)', headers: async () => bearer(`${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`) },
  { label: 'garbage first, a valid admin second', headers: async (ctx) => ['Bearer garbage', `Bearer ${await ctx.mint({ [ctx.issuer.groupsClaim]: ['moderators', 'admins'] })}`] },
  { label: 'non-ASCII in the token', headers: async (ctx) => [headerSafe(`Bearer ${await ctx.mint({ [ctx.issuer.groupsClaim]: ['admins'] })}\u00e9`)] },
];

/** Groups claims that name no role, though they look like one. */
const CRAFTED_GROUPS: Array<{ label: string; value: unknown }> = [
  { label: '"readers,admins"', value: 'readers,admins' },
  { label: '["readers moderators"]', value: ['readers moderators'] },
  { label: '["moderators "]', value: ['moderators '] },
  { label: '[" moderators"]', value: [' moderators'] },
  { label: '[["admins"]]', value: [['admins']] },
  { label: '{"0":"admins"}', value: { 0: 'admins' } },
  { label: '"[admins]"', value: '[admins]' },
  { label: '"moderators admins"', value: 'moderators admins' },
  { label: '["Moderators"]', value: ['Moderators'] },
  { label: '["ADMINS"]', value: ['ADMINS'] },
  { label: '["admins\\u200b"]', value: ['admins\u200b'] },
  { label: 'Cyrillic а in admins', value: ['\u0430dmins'] },
  { label: 'soft hyphen in moderators', value: ['moder\u00adators'] },
  { label: '["moderators\\u0000"]', value: ['moderators\u0000'] },
  { label: '["moderators\\n"]', value: ['moderators\n'] },
  { label: '["moderators,admins"]', value: ['moderators,admins'] },
  { label: '[null]', value: [null] },
  { label: '[]', value: [] },
  { label: 'null', value: null },
  { label: '1', value: 1 },
  { label: 'true', value: true },
  { label: '{"moderators":true}', value: { moderators: true } },
  { label: '[{"name":"admins"}]', value: [{ name: 'admins' }] },
  { label: '["admin"]', value: ['admin'] },
  { label: '["moderator"]', value: ['moderator'] },
  { label: '["*"]', value: ['*'] },
  { label: '["admins/"]', value: ['admins/'] },
  { label: 'an LDAP DN', value: ['cn=admins,ou=groups,dc=example'] },
  { label: 'an empty string', value: '' },
  { label: 'math bold admins', value: ['𝐚𝐝𝐦𝐢𝐧𝐬'] },
  { label: 'fullwidth admins', value: ['ａｄｍｉｎｓ'] },
  { label: 'percent-encoded admins', value: ['%61dmins'] },
  { label: 'the letters of admins', value: ['a', 'd', 'm', 'i', 'n', 's'] },
  { label: 'the claim absent', value: undefined },
];

/** Roles in claims that are not the groups claim. */
const OTHER_CLAIMS: Array<{ label: string; claims: (groupsClaim: string) => Record<string, unknown> }> = [
  { label: 'admins in `groups` (not the groups claim)', claims: (g) => ({ [g]: ['readers'], [g === 'groups' ? 'cognito:groups' : 'groups']: ['moderators', 'admins'] }) },
  { label: 'admins in `roles`', claims: (g) => ({ [g]: ['readers'], roles: ['admins'] }) },
  { label: 'admins in `scope`', claims: (g) => ({ [g]: undefined, scope: 'admins moderators' }) },
  { label: 'username and sub `admins`', claims: (g) => ({ [g]: ['readers'], sub: 'admins', username: 'admins' }) },
];

/** Admin group names that are not `admins`, beside a real `moderators`. */
const CRAFTED_ADMIN: Array<{ label: string; value: unknown[] }> = [
  { label: '"admins "', value: ['moderators', 'admins '] },
  { label: '"Admins"', value: ['moderators', 'Admins'] },
  { label: '"admins\\u200b"', value: ['moderators', 'admins\u200b'] },
  { label: 'Cyrillic а', value: ['moderators', '\u0430dmins'] },
  { label: '"admin"', value: ['moderators', 'admin'] },
  { label: '"readers,admins"', value: ['moderators', 'readers,admins'] },
  { label: '"moderators admins"', value: ['moderators admins', 'moderators'] },
  { label: '["admins"] nested', value: ['moderators', ['admins']] },
  { label: '{"0":"admins"}', value: ['moderators', { 0: 'admins' }] },
  { label: '"[admins]"', value: ['moderators', '[admins]'] },
];

export function tokenCases(rng: Rng, infos: RouteInfo[], total: number): HttpCase[] {
  const guarded = infos.filter((i) => accessOf(i.route) !== 'public');
  const adminOnly = guarded.filter((i) => accessOf(i.route) === 'admin');
  const out: Array<Omit<HttpCase, 'id'>> = [];
  const unauthenticated = (info: RouteInfo, auth: Authorization) => {
    const base = draftRequest(info, { role: null });
    out.push({
      target: 'tokens',
      group: 'unauthenticated',
      route: info.key,
      name: auth.label,
      expect: { statuses: [401], types: ['unauthorized'] },
      build: async (ctx) => {
        const request = base(ctx);
        return { ...request, headers: [...(await auth.headers(ctx)).map((v) => ['authorization', v] as [string, string]), ...(request.headers ?? [])] };
      },
    });
  };
  const crafted = (info: RouteInfo, label: string, claims: (ctx: RunContext) => Record<string, unknown>, type: 'forbidden' | 'admins-only', group: string) => {
    const base = draftRequest(info, { role: null });
    out.push({
      target: 'tokens',
      group,
      route: info.key,
      name: label,
      // A member route takes any verified token, but one that names no Chime member is refused (403) all the same.
      expect: { statuses: [403], types: [accessOf(info.route) === 'member' ? 'no-member-identity' : type] },
      build: async (ctx) => {
        const request = base(ctx);
        return { ...request, headers: [['authorization', `Bearer ${await ctx.mint(claims(ctx))}`], ...(request.headers ?? [])] };
      },
    });
  };
  // Every hostile header and every crafted claim once, on a random route; then random pairs.
  for (const auth of UNAUTHENTICATED) unauthenticated(rng.pick(guarded), auth);
  for (const g of CRAFTED_GROUPS) crafted(rng.pick(guarded), `groups ${g.label}`, (ctx) => ({ [ctx.issuer.groupsClaim]: g.value }), 'forbidden', 'crafted-groups');
  for (const c of OTHER_CLAIMS) crafted(rng.pick(guarded), c.label, (ctx) => c.claims(ctx.issuer.groupsClaim), 'forbidden', 'crafted-groups');
  for (const a of CRAFTED_ADMIN) crafted(rng.pick(adminOnly), `moderators and ${a.label}`, (ctx) => ({ [ctx.issuer.groupsClaim]: a.value }), 'admins-only', 'crafted-admin');
  // Headers past what the server reads (API Gateway's limit is 10 KB; this server's 16 KB): 431.
  for (const size of [17_000, 40_000]) {
    const info = rng.pick(guarded);
    const base = draftRequest(info, { role: null });
    out.push({
      target: 'tokens',
      group: 'oversized-header',
      route: info.key,
      name: `a ${size}-character Authorization`,
      expect: { statuses: [431], types: ['invalid-request'] },
      build: (ctx) => {
        const request = base(ctx);
        return { ...request, headers: [['authorization', `Bearer ${'A'.repeat(size)}`], ...(request.headers ?? [])] };
      },
    });
  }
  // Every guarded route at least once with a bad token and once with crafted groups.
  for (const info of guarded) {
    unauthenticated(info, rng.pick(UNAUTHENTICATED));
    const g = rng.pick(CRAFTED_GROUPS);
    crafted(info, `groups ${g.label}`, (ctx) => ({ [ctx.issuer.groupsClaim]: g.value }), 'forbidden', 'crafted-groups');
  }
  while (out.length < total) {
    const kind = rng.int(3);
    if (kind === 0) unauthenticated(rng.pick(guarded), rng.pick(UNAUTHENTICATED));
    else if (kind === 1) {
      const g = rng.pick(CRAFTED_GROUPS);
      crafted(rng.pick(guarded), `groups ${g.label}`, (ctx) => ({ [ctx.issuer.groupsClaim]: g.value }), 'forbidden', 'crafted-groups');
    } else {
      const a = rng.pick(CRAFTED_ADMIN);
      crafted(rng.pick(adminOnly), `moderators and ${a.label}`, (ctx) => ({ [ctx.issuer.groupsClaim]: a.value }), 'admins-only', 'crafted-admin');
    }
  }
  return out.map((c, i) => ({ ...c, id: `tokens#${i}` }));
}
