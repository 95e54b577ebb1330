import { describe, expect, it } from 'vitest';
import { appInstanceOf, isScope, parseScope, scopeChainOf, scopeChainTo, scopeCovers } from '../../../src/policy/scope.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const CHANNEL = `${APP}/channel/c-1`;

describe('policy scopes', () => {
  it('knows global, app instance ARNs and channel ARNs', () => {
    expect(parseScope('global')).toEqual({ id: 'global', kind: 'global' });
    expect(parseScope(APP)).toEqual({ id: APP, kind: 'app-instance' });
    expect(parseScope(CHANNEL)).toEqual({ id: CHANNEL, kind: 'channel' });
  });

  it.each(['', 'Global', 'arn:aws:chime:us-east-1:123456789012:app-instance/', `${APP}/user/bob`, `${CHANNEL}/extra`, 'arn:aws:s3:::bucket', `${APP} `, `arn:aws:chime:us-east-1:1234:app-instance/x`, 'x'.repeat(1601)])(
    'refuses %j with a reason',
    (text) => {
      const scope = parseScope(text);
      expect(isScope(scope)).toBe(false);
      expect((scope as { problem: string }).problem).toMatch(/global|1600/);
    },
  );

  it('chains a channel to its app instance and global, broadest first', () => {
    expect(appInstanceOf(CHANNEL)).toBe(APP);
    expect(scopeChainOf(CHANNEL)).toEqual(['global', APP, CHANNEL]);
    expect(scopeChainOf('not-an-arn')).toEqual(['global']);
    expect(scopeChainTo({ id: APP, kind: 'app-instance' })).toEqual(['global', APP]);
    expect(scopeChainTo({ id: 'global', kind: 'global' })).toEqual(['global']);
  });

  it('says which messages a scope judges', () => {
    expect(scopeCovers({ id: 'global', kind: 'global' }, CHANNEL)).toBe(true);
    expect(scopeCovers({ id: APP, kind: 'app-instance' }, CHANNEL)).toBe(true);
    expect(scopeCovers({ id: APP, kind: 'app-instance' }, 'arn:aws:chime:us-east-1:123456789012:app-instance/app-10/channel/c')).toBe(false);
    expect(scopeCovers({ id: CHANNEL, kind: 'channel' }, CHANNEL)).toBe(true);
    expect(scopeCovers({ id: CHANNEL, kind: 'channel' }, `${APP}/channel/c-2`)).toBe(false);
  });
});
