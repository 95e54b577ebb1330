import { describe, expect, it } from 'vitest';
import {
  classifyHost,
  compileDomainLists,
  extractLinkHosts,
  normalizeDomainEntry,
  normalizeHost,
} from '../../../src/policy/links.js';

describe('extractLinkHosts', () => {
  it('extracts http and https URLs', () => {
    expect(extractLinkHosts('see http://example.org/a?b=c and HTTPS://Docs.GitHub.com/x#y')).toEqual([
      'example.org',
      'docs.github.com',
    ]);
  });

  it('drops userinfo, port and trailing dot from URL hosts', () => {
    expect(extractLinkHosts('go to https://user:pw@Evil.Example.:8443/path')).toEqual(['evil.example']);
  });

  it('extracts www. addresses whatever their TLD', () => {
    expect(extractLinkHosts('visit www.some-shop.shopping/deals')).toEqual(['www.some-shop.shopping']);
  });

  it('extracts bare domains with a known TLD, with or without a path', () => {
    expect(extractLinkHosts('try evil.example/path or example.com, or bit.ly/abc.')).toEqual([
      'evil.example',
      'example.com',
      'bit.ly',
    ]);
  });

  it('extracts a domain at the end of a sentence without the full stop', () => {
    expect(extractLinkHosts('It is on example.com.')).toEqual(['example.com']);
  });

  it('extracts a link inside parentheses', () => {
    expect(extractLinkHosts('(https://github.com/org) and (example.net)')).toEqual(['github.com', 'example.net']);
  });

  it('does not treat e-mail addresses as links', () => {
    expect(extractLinkHosts('mail jane.doe@mail.example.com or first.name@corp.io')).toEqual([]);
  });

  it.each(['e.g. this', 'i.e. that', 'node.js and main.ts', 'version 1.2.3', 'pi 3.14', 'end.Next sentence', 'a...b'])(
    'does not treat %j as a link',
    (text) => {
      expect(extractLinkHosts(text)).toEqual([]);
    },
  );

  it('sees a link hidden with full-width dots or zero-width characters', () => {
    expect(extractLinkHosts('evil\uFF0Eexample and mal\u200Bware.example')).toEqual(['evil.example', 'malware.example']);
  });

  it('reports links in order of appearance', () => {
    expect(extractLinkHosts('a.com https://b.com c.com')).toEqual(['a.com', 'b.com', 'c.com']);
  });
});

describe('normalizeHost / normalizeDomainEntry', () => {
  it('lower-cases and drops the trailing dot', () => {
    expect(normalizeHost('GitHub.COM.')).toBe('github.com');
  });

  it.each(['github.com', 'GitHub.com.', '*.github.com', '.github.com', 'https://github.com/org/repo'])(
    'reads the policy entry %j as github.com',
    (entry) => {
      expect(normalizeDomainEntry(entry)).toBe('github.com');
    },
  );
});

describe('classifyHost', () => {
  const lists = compileDomainLists(['github.com', 'amazon.com'], ['bit.ly', 'gist.github.com', 'malware.example']);

  it('allows a listed domain and its subdomains', () => {
    expect(classifyHost(lists, 'github.com')).toBe('allow');
    expect(classifyHost(lists, 'docs.github.com')).toBe('allow');
    expect(classifyHost(lists, 'a.b.aws.amazon.com')).toBe('allow');
  });

  it('does not let a look-alike domain match', () => {
    expect(classifyHost(lists, 'notgithub.com')).toBe('unknown');
    expect(classifyHost(lists, 'github.com.evil.example')).toBe('unknown');
    expect(classifyHost(lists, 'github.com.malware.example')).toBe('deny');
    expect(classifyHost(lists, 'github.co')).toBe('unknown');
  });

  it('denies a listed domain and its subdomains', () => {
    expect(classifyHost(lists, 'bit.ly')).toBe('deny');
    expect(classifyHost(lists, 'x.bit.ly')).toBe('deny');
  });

  it('lets the more specific entry win', () => {
    expect(classifyHost(lists, 'gist.github.com')).toBe('deny');
  });

  it('prefers deny when a domain is on both lists', () => {
    const both = compileDomainLists(['example.com'], ['example.com']);
    expect(classifyHost(both, 'example.com')).toBe('deny');
  });

  it('ignores case and a trailing dot', () => {
    expect(classifyHost(lists, 'DOCS.GitHub.com.')).toBe('allow');
  });

  it('reports an unlisted domain as unknown', () => {
    expect(classifyHost(lists, 'example.org')).toBe('unknown');
  });
});
