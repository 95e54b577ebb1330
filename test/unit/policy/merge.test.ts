import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate } from '../../../src/policy/index.js';
import { effectivePolicies, layersKey, mergeLayers, type PolicyLayer } from '../../../src/policy/merge.js';
import type { ScopedPolicyDocument } from '../../../src/policy/schema.js';
import { aMessage } from '../../support/factories.js';

const APP = 'arn:aws:chime:us-east-1:123456789012:app-instance/app-1';
const CHANNEL = `${APP}/channel/kids`;

const layer = (scope: string, document: ScopedPolicyDocument, version = 1): PolicyLayer => ({ scope, version, mode: document.mode ?? 'enforce', document });
const global = (document: ScopedPolicyDocument, version = 1) => layer('global', document, version);
const app = (document: ScopedPolicyDocument, version = 1) => layer(APP, document, version);
const channel = (document: ScopedPolicyDocument, version = 1) => layer(CHANNEL, document, version);

const actionOf = (layers: PolicyLayer[], content: string, sender?: string) =>
  evaluate(compilePolicy(mergeLayers(layers).document), aMessage({ content, channelArn: CHANNEL, ...(sender ? { sender: { arn: sender } } : {}) })).action;

describe('mergeLayers: lists are unions', () => {
  it('adds a narrower scope’s terms to the inherited ones, in order, without duplicates', () => {
    const merged = mergeLayers([global({ terms: { block: ['scamcoin', 'badword'] } }), app({ terms: { block: ['BadWord', 'pyramid scheme'] } }), channel({ terms: { block: ['homework answers'] } })]);
    expect(merged.document.terms).toEqual({ block: ['scamcoin', 'badword', 'pyramid scheme', 'homework answers'] });
  });

  it('unions every list: terms.review, links.allow/deny, senders.allow/deny', () => {
    const merged = mergeLayers([
      global({ terms: { review: ['refund'] }, links: { allow: ['amazon.com'], deny: ['bit.ly'] }, senders: { deny: [`${APP}/user/spammer`] } }),
      channel({ terms: { review: ['wire transfer'] }, links: { allow: ['GitHub.com.'], deny: ['BIT.LY'] }, senders: { allow: [`${APP}/bot/*`] } }),
    ]);
    expect(merged.document).toMatchObject({
      terms: { review: ['refund', 'wire transfer'] },
      links: { allow: ['amazon.com', 'GitHub.com.'], deny: ['bit.ly'] },
      senders: { deny: [`${APP}/user/spammer`], allow: [`${APP}/bot/*`] },
    });
  });

  it('judges a message in the channel by all three scopes', () => {
    const layers = [global({ terms: { block: ['scamcoin'] } }), app({ terms: { review: ['refund'] } }), channel({ terms: { block: ['dare'] } })];
    expect(actionOf(layers, 'buy scamcoin')).toBe('DENY');
    expect(actionOf(layers, 'refund please')).toBe('REVIEW');
    expect(actionOf(layers, 'I dare you')).toBe('DENY');
    expect(actionOf(layers, 'hello')).toBe('ALLOW');
  });
});

describe('mergeLayers: removing an inherited entry', () => {
  it('removes an inherited term at the narrower scope only', () => {
    const layers = [global({ terms: { block: ['scamcoin', 'badword'] } }), channel({ remove: { terms: { block: ['badword'] } } })];
    expect(mergeLayers(layers).document.terms).toEqual({ block: ['scamcoin'] });
    expect(actionOf(layers, 'what a badword')).toBe('ALLOW');
    expect(actionOf([layers[0]!], 'what a badword')).toBe('DENY');
  });

  it('matches a removed term the way the engine reads terms: case, spacing and accents do not matter', () => {
    const merged = mergeLayers([global({ terms: { block: ['Buy Followers', 'café crème'] } }), app({ remove: { terms: { block: ['buy   followers', 'CAFE CREME'] } } })]);
    expect(merged.document.terms).toEqual({ block: [] });
    expect(merged.unmatchedRemovals).toEqual([]);
  });

  it('removes inherited domains and senders by their normalised form', () => {
    const merged = mergeLayers([
      global({ links: { allow: ['amazon.com'], deny: ['bit.ly', 'tinyurl.com'] }, senders: { deny: [`${APP}/user/a`, `${APP}/user/b`] } }),
      channel({ remove: { links: { deny: ['https://BIT.LY/x'] }, senders: { deny: [`${APP}/user/b`] } } }),
    ]);
    expect(merged.document.links).toEqual({ allow: ['amazon.com'], deny: ['tinyurl.com'] });
    expect(merged.document.senders).toEqual({ deny: [`${APP}/user/a`] });
  });

  it('removes only from what was inherited: the removing scope’s children may add the entry back', () => {
    const merged = mergeLayers([global({ terms: { block: ['dare'] } }), app({ remove: { terms: { block: ['dare'] } } }), channel({ terms: { block: ['dare'] } })]);
    expect(merged.document.terms).toEqual({ block: ['dare'] });
  });

  it('reports removals that matched nothing inherited, and changes nothing for them', () => {
    const merged = mergeLayers([global({ terms: { block: ['scamcoin'] } }), channel({ remove: { terms: { block: ['scamcion'], review: ['refund'] } } })]);
    expect(merged.document.terms).toEqual({ block: ['scamcoin'] });
    expect(merged.unmatchedRemovals).toEqual([
      { scope: CHANNEL, path: 'remove.terms.block', entry: 'scamcion' },
      { scope: CHANNEL, path: 'remove.terms.review', entry: 'refund' },
    ]);
  });

  it('removes from a section the narrower scope does not otherwise mention, leaving its scalars alone', () => {
    const merged = mergeLayers([global({ links: { deny: ['bit.ly'], unknown: 'DENY' } }), channel({ remove: { links: { deny: ['bit.ly'] } } })]);
    expect(merged.document.links).toEqual({ deny: [], unknown: 'DENY' });
  });
});

describe('mergeLayers: scalars are overridden by the narrower scope', () => {
  it('overrides only the settings the narrower scope writes (documents merge as written)', () => {
    const layers = [global({ pii: { phone: false, action: 'UPDATE' } }), channel({ pii: { action: 'DENY' } })];
    expect(mergeLayers(layers).document.pii).toEqual({ phone: false, action: 'DENY' });
    expect(actionOf(layers, 'call 555-123-4567 now')).toBe('ALLOW'); // phone stays off
    expect(actionOf(layers, 'mail me at kid@example.com')).toBe('DENY');
  });

  it('lets the channel win over the app instance, and the app instance over global', () => {
    const merged = mergeLayers([
      global({ content: { maxLength: 2000, action: 'REVIEW' }, links: { unknown: 'REVIEW' } }),
      app({ content: { maxLength: 500 }, links: { unknown: 'DENY' } }),
      channel({ content: { action: 'DENY' } }),
    ]);
    expect(merged.document.content).toEqual({ maxLength: 500, action: 'DENY' });
    expect(merged.document.links).toEqual({ unknown: 'DENY' });
  });

  it('keeps the narrowest description', () => {
    expect(mergeLayers([global({ description: 'all' }), channel({ description: 'kids' })]).document.description).toBe('kids');
    expect(mergeLayers([global({ description: 'all' }), channel({})]).document.description).toBe('all');
  });
});

describe('mergeLayers: switching rule sections on and off', () => {
  it('switches a rule on at a narrower scope with the section’s defaults', () => {
    const layers = [global({}), channel({ links: {} })];
    expect(actionOf(layers, 'see https://example.org/x')).toBe('REVIEW');
    expect(actionOf([layers[0]!], 'see https://example.org/x')).toBe('ALLOW');
  });

  it('switches an inherited rule off with `false`, dropping what it inherited', () => {
    const layers = [global({ terms: { block: ['scamcoin'] }, pii: {} }), channel({ pii: false })];
    const merged = mergeLayers(layers);
    expect(merged.document.pii).toBeUndefined();
    expect(merged.document.terms).toEqual({ block: ['scamcoin'] });
    expect(actionOf(layers, 'mail a@example.com')).toBe('ALLOW');
  });

  it('lets a narrower scope switch a rule back on, starting from its own settings', () => {
    const merged = mergeLayers([global({ terms: { block: ['a1'] } }), app({ terms: false }), channel({ terms: { block: ['c1'] } })]);
    expect(merged.document.terms).toEqual({ block: ['c1'] });
  });
});

describe('effectivePolicies: shadow mode', () => {
  it('leaves shadow scopes out of the applied policy and merges them all into the shadow one', () => {
    const layers = [global({ terms: { block: ['scamcoin'] } }, 4), app({ mode: 'shadow', terms: { block: ['crypto'] } }, 2), channel({ terms: { review: ['refund'] } }, 7)];
    const { applied, shadow } = effectivePolicies(layers);
    expect(applied.layers).toEqual([
      { scope: 'global', version: 4, mode: 'enforce' },
      { scope: CHANNEL, version: 7, mode: 'enforce' },
    ]);
    expect(applied.document.terms).toEqual({ block: ['scamcoin'], review: ['refund'] });
    expect(shadow?.layers.map((l) => `${l.scope}@${l.version}:${l.mode}`)).toEqual(['global@4:enforce', `${APP}@2:shadow`, `${CHANNEL}@7:enforce`]);
    expect(shadow?.document.terms).toEqual({ block: ['scamcoin', 'crypto'], review: ['refund'] });
    const message = aMessage({ content: 'crypto tips', channelArn: CHANNEL });
    expect(evaluate(compilePolicy(applied.document), message).action).toBe('ALLOW');
    expect(evaluate(compilePolicy(shadow!.document), message).action).toBe('DENY');
  });

  it('has no shadow policy when every scope is enforced', () => {
    expect(effectivePolicies([global({}), channel({ mode: 'enforce' })]).shadow).toBeUndefined();
  });

  it('keys a chain by its scopes, versions and modes', () => {
    const { shadow } = effectivePolicies([global({}, 3), channel({ mode: 'shadow' }, 9)]);
    expect(layersKey(shadow!.layers)).toBe(`global@3>${CHANNEL}@9s`);
  });
});

describe('mergeLayers: the result', () => {
  it('is always a valid document of today’s schema (no mode, no remove, no false)', () => {
    const merged = mergeLayers([global({ terms: { block: ['x1'] } }), channel({ mode: 'shadow', pii: false, remove: { terms: { block: ['x1'] } } })]);
    expect(merged.document).toEqual({ version: 1, terms: { block: [] } });
    expect(() => compilePolicy(merged.document)).not.toThrow();
  });

  it('does not change the documents it merges', () => {
    const parent: ScopedPolicyDocument = { terms: { block: ['a1'] } };
    const child: ScopedPolicyDocument = { terms: { block: ['b1'] }, remove: { terms: { block: ['a1'] } } };
    const before = JSON.stringify([parent, child]);
    mergeLayers([global(parent), channel(child)]);
    expect(JSON.stringify([parent, child])).toBe(before);
  });
});

describe('the README’s example', () => {
  it('merges global, the school app instance and the kids channel as documented', () => {
    const merged = mergeLayers([
      global({ terms: { block: ['scamcoin', 'badword'], review: ['refund'] }, pii: { action: 'UPDATE' } }),
      app({ terms: { block: ['pyramid scheme'] }, pii: { action: 'REVIEW' } }),
      channel({ terms: { block: ['dare'] }, remove: { terms: { review: ['refund'] } }, pii: { action: 'DENY' } }),
    ]);
    expect(merged.document.terms).toEqual({ block: ['scamcoin', 'badword', 'pyramid scheme', 'dare'], review: [] });
    expect(merged.document.pii).toEqual({ action: 'DENY' });
  });

  it('removes a term however it is spelt, as the engine reads it (b.a.d is bad)', () => {
    expect(mergeLayers([global({ terms: { block: ['bad'] } }), channel({ remove: { terms: { block: ['B.A.D'] } } })]).document.terms).toEqual({ block: [] });
  });
});
