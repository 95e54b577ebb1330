/**
 * Finding spans: `[start, end)` UTF-16 offsets into the content as the sender wrote it, so the
 * moderator console can highlight `content.slice(start, end)` in place.
 */
import { describe, expect, it } from 'vitest';
import type { ChannelMessage, Finding, Span } from '../../../src/domain/message.js';
import { compilePolicy, evaluate } from '../../../src/policy/engine.js';
import { findLinks } from '../../../src/policy/links.js';
import type { PolicyDocumentInput } from '../../../src/policy/schema.js';
import { compileTerms, findTerms } from '../../../src/policy/terms.js';
import { prng } from '../../support/prng.js';

const POLICY: PolicyDocumentInput = {
  terms: {
    block: ['bad', 'scam', 'scamcoin', 'buy followers', 'send me your password', 'idiot'],
    review: ['refund', 'wire money', 'wire money now'],
  },
  pii: {},
  links: { allow: ['github.com'], deny: ['bit.ly', 'malware.example'], unknown: 'REVIEW' },
  content: { maxLength: 2000 },
  metadata: {},
};
const policy = compilePolicy(POLICY);

function message(content: string, extra: Partial<ChannelMessage> = {}): ChannelMessage {
  return {
    messageId: 'm-1',
    channelArn: 'arn:aws:chime:us-east-1:111122223333:app-instance/i/channel/c',
    content,
    sender: { arn: 'arn:aws:chime:us-east-1:111122223333:app-instance/i/user/u' },
    ...extra,
  };
}

const judge = (content: string, extra: Partial<ChannelMessage> = {}) => evaluate(policy, message(content, extra));

/** The highlighted texts of the finding with `ruleId`. */
function highlighted(content: string, ruleId: string): string[] {
  const finding = judge(content).findings.find((f) => f.ruleId === ruleId);
  expect(finding, `${ruleId} fired for ${JSON.stringify(content)}`).toBeDefined();
  return finding!.spans!.map((s) => content.slice(s.start, s.end));
}

/** Spans are sorted, within bounds, non-empty, free of exact duplicates. */
function expectWellFormed(content: string, spans: readonly Span[]): void {
  for (let k = 0; k < spans.length; k++) {
    const s = spans[k]!;
    expect(Number.isInteger(s.start) && Number.isInteger(s.end)).toBe(true);
    expect(s.start).toBeGreaterThanOrEqual(0);
    expect(s.end).toBeLessThanOrEqual(content.length);
    expect(s.end).toBeGreaterThan(s.start);
    if (k > 0) {
      const p = spans[k - 1]!;
      expect(p.start < s.start || (p.start === s.start && p.end < s.end), 'sorted, no duplicates').toBe(true);
    }
  }
}

describe('term spans', () => {
  it('covers a plain word', () => {
    const content = 'That was bad.';
    expect(judge(content).findings[0]!.spans).toEqual([{ start: 9, end: 12 }]);
  });

  it('reports every occurrence, sorted', () => {
    const content = 'bad, BAD and b.a.d again: bad';
    expect(highlighted(content, 'terms.block')).toEqual(['bad', 'BAD', 'b.a.d', 'bad']);
  });

  it.each([
    ['b.a.d', 'b.a.d'],
    ['B A D', 'B A D'],
    ['b - a - d', 'b - a - d'],
    ['bàd (precomposed)', 'b\u00E0d'],
    ['bàd (combining grave)', 'ba\u0300d'],
    ['baaad', 'baaad'],
    ['full-width ｂａｄ', '\uFF42\uFF41\uFF44'],
    ['zero-width inside', 'b\u200Ba\u200Dd'],
    ['leet b4d', 'b4d'],
    ['mathematical bold 𝐛𝐚𝐝 (surrogate pairs)', '\u{1D41B}\u{1D41A}\u{1D41D}'],
  ])('covers exactly the original characters of %s', (_label, written) => {
    const content = `so ${written} stuff`;
    expect(highlighted(content, 'terms.block')).toEqual([written]);
  });

  it('keeps a combining mark on the last letter inside the span', () => {
    const content = 'so bad\u0301 stuff';
    expect(highlighted(content, 'terms.block')).toEqual(['bad\u0301']);
  });

  it('leaves zero-width characters around the word outside the span', () => {
    const content = 'so \u200Bbad\u200B stuff';
    expect(highlighted(content, 'terms.block')).toEqual(['bad']);
  });

  it('counts UTF-16 units: emoji and astral characters before the match shift it by two each', () => {
    const content = '😀👍🏽 𝒳 bad';
    const spans = judge(content).findings[0]!.spans!;
    expect(spans).toEqual([{ start: content.length - 3, end: content.length }]);
    expect(content.slice(spans[0]!.start, spans[0]!.end)).toBe('bad');
  });

  it('covers accented and full-width text before the match without drifting', () => {
    const content = 'Crème brûlée, ｆｕｌｌ ﬁne — then bad';
    expect(highlighted(content, 'terms.block')).toEqual(['bad']);
  });

  it('covers $cam as a leet spelling of scam', () => {
    expect(highlighted('this is a $cam!', 'terms.block')).toEqual(['$cam']);
  });

  it('covers a phrase across punctuation, from its first to its last word', () => {
    expect(highlighted('want to Buy -- FOLLOWERS! now', 'terms.block')).toEqual(['Buy -- FOLLOWERS']);
    expect(highlighted('b.u.y f0ll0w3rs today', 'terms.block')).toEqual(['b.u.y f0ll0w3rs']);
  });

  it('covers a phrase of spaced-out letters written without word breaks', () => {
    expect(highlighted('just b u y f o l l o w e r s ok', 'terms.block')).toEqual(['b u y f o l l o w e r s']);
  });

  it('reports nested phrases each with its own span', () => {
    const content = 'please wire money now';
    expect(highlighted(content, 'terms.review')).toEqual(['wire money', 'wire money now']);
  });

  it('reports a word and a phrase beginning with it separately', () => {
    const content = 'scamcoin and scam';
    expect(highlighted(content, 'terms.block')).toEqual(['scamcoin', 'scam']);
  });

  it('keeps block and review spans in their own findings', () => {
    const content = 'refund my scamcoin';
    const v = judge(content);
    expect(v.findings.map((f) => [f.ruleId, f.spans!.map((s) => content.slice(s.start, s.end))])).toEqual([
      ['terms.block', [['scamcoin']].flat()],
      ['terms.review', ['refund']],
    ]);
  });

  it('maps look-alike letters of other scripts back to themselves', () => {
    const written = '\u0456d\u0456\u043Et'; // Cyrillic і і о
    expect(highlighted(`you ${written}!`, 'terms.block')).toEqual([written]);
  });

  it('findTerms reports the same spans as the verdict', () => {
    const compiled = compileTerms(['bad'], ['refund']);
    const r = findTerms(compiled, 'refund? bad! b a d');
    expect(r.blockSpans).toEqual([
      { start: 8, end: 11 },
      { start: 13, end: 18 },
    ]);
    expect(r.reviewSpans).toEqual([{ start: 0, end: 6 }]);
  });
});

describe('PII spans', () => {
  it('covers each e-mail address, phone number and card', () => {
    const content = 'Mail jane@example.com or x@y.io, call +1 (555) 123-4567, card 4111 1111 1111 1111.';
    expect(highlighted(content, 'pii.email')).toEqual(['jane@example.com', 'x@y.io']);
    expect(highlighted(content, 'pii.phone')).toEqual(['+1 (555) 123-4567']);
    expect(highlighted(content, 'pii.card')).toEqual(['4111 1111 1111 1111']);
  });

  it('is measured on the original content, not on the masked one', () => {
    const content = '😀 jane@example.com';
    const v = judge(content);
    expect(v.content).toBe('😀 [email redacted]');
    expect(v.findings[0]!.spans).toEqual([{ start: 3, end: content.length }]);
  });
});

describe('link spans', () => {
  it('covers each link that fired, with its path but without trailing punctuation', () => {
    const content = 'see bit.ly/abc. Also https://malware.example/x?y=1, and (example.org/path).';
    expect(highlighted(content, 'links.deny')).toEqual(['bit.ly/abc', 'https://malware.example/x?y=1']);
    expect(highlighted(content, 'links.unknown')).toEqual(['example.org/path']);
  });

  it('does not cover allowed links', () => {
    const content = 'docs at https://docs.github.com/x and example.org';
    expect(highlighted(content, 'links.unknown')).toEqual(['example.org']);
  });

  it('keeps a closing parenthesis the link opened', () => {
    const content = 'read https://en.wikipedia.example/wiki/Foo_(bar) now';
    expect(highlighted(content, 'links.unknown')).toEqual(['https://en.wikipedia.example/wiki/Foo_(bar)']);
  });

  it('maps a link hidden with full-width or zero-width characters back to what was written', () => {
    const content = '😀 go to evil\uFF0Eexample and mal\u200Bware.example!';
    expect(highlighted(content, 'links.unknown')).toEqual(['evil\uFF0Eexample']);
    expect(highlighted(content, 'links.deny')).toEqual(['mal\u200Bware.example']);
  });

  it('reports each occurrence of the same host', () => {
    expect(highlighted('bit.ly/a then bit.ly/b', 'links.deny')).toEqual(['bit.ly/a', 'bit.ly/b']);
  });

  it('findLinks reports hosts with spans in text order', () => {
    const text = 'a.com https://B.com/x c.com.';
    expect(findLinks(text).map((l) => [l.host, text.slice(l.start, l.end)])).toEqual([
      ['a.com', 'a.com'],
      ['b.com', 'https://B.com/x'],
      ['c.com', 'c.com'],
    ]);
  });
});

describe('spans across rule kinds', () => {
  it('lets spans of different findings overlap', () => {
    const content = 'visit scamcoin.com today';
    const v = judge(content);
    expect(v.ruleIds).toEqual(['terms.block', 'links.unknown']);
    expect(v.findings.map((f) => f.spans!.map((s) => content.slice(s.start, s.end)))).toEqual([
      ['scamcoin'],
      ['scamcoin.com'],
    ]);
  });

  it('does not give spans to rules about the message as a whole', () => {
    const doc: PolicyDocumentInput = { ...POLICY, content: { maxLength: 10 }, senders: { deny: ['arn:*'] } };
    const v = evaluate(compilePolicy(doc), message('bad things happen here', { metadata: '{oops' }));
    const whole = v.findings.filter((f) => ['sender.deny', 'content.length', 'metadata.malformed'].includes(f.ruleId));
    expect(whole).toHaveLength(3);
    for (const f of whole) expect(f).not.toHaveProperty('spans');
    expect(v.findings.find((f) => f.ruleId === 'terms.block')!.spans).toEqual([{ start: 0, end: 3 }]);
  });

  it('gives every content finding at least one span', () => {
    const content = 'bad refund jane@example.com +44 20 7946 0958 4111111111111111 bit.ly/x example.org';
    const v = judge(content);
    expect(v.ruleIds).toEqual([
      'terms.block',
      'terms.review',
      'links.deny',
      'links.unknown',
      'pii.email',
      'pii.phone',
      'pii.card',
    ]);
    for (const f of v.findings) {
      expect(f.spans!.length, f.ruleId).toBeGreaterThan(0);
      expectWellFormed(content, f.spans!);
    }
  });
});

describe('span invariants on generated messages', () => {
  const pieces = [
    'bad', 'B.A.D', 'b a d', 'bàd', 'ba\u0300d', 'ｂａｄ', 'b\u200Bad', 'baaad', '$cam', 'scamcoin', 'buy followers',
    'Buy -- FOLLOWERS', 'buy? Followers', 'refund', 'wire money now', '\u0456d\u0456\u043Et', 'jane@example.com',
    '+1 (555) 123-4567', '4111 1111 1111 1111', 'bit.ly/abc', 'https://malware.example/x', 'example.org', 'github.com',
    '😀', '👍🏽', '𝐛𝐚𝐝', 'é', '\u0301', '\u200B', 'ﬁ', '…', '.', ',', '!', '?', ' ', '  ', '\n', '(', ')', 'hello',
    'team', 'A S S B', 'x', 'q', '1', '@', '$$',
  ];

  it('keeps every span sorted, within bounds and on text that matches the rule on its own', () => {
    const rand = prng(2024);
    for (let n = 0; n < 1500; n++) {
      let content = '';
      const count = 1 + Math.floor(rand() * 12);
      for (let k = 0; k < count; k++) {
        content += pieces[Math.floor(rand() * pieces.length)]!;
        if (rand() < 0.6) content += ' ';
      }
      const v = judge(content);
      for (const f of v.findings as Finding[]) {
        expect(f.spans, `${f.ruleId} in ${JSON.stringify(content)}`).toBeDefined();
        expectWellFormed(content, f.spans!);
        // The highlighted text alone fires the same rule: the span holds the whole match.
        for (const s of f.spans!) {
          const alone = judge(content.slice(s.start, s.end));
          expect(alone.ruleIds, `${f.ruleId} ${JSON.stringify(content.slice(s.start, s.end))} of ${JSON.stringify(content)}`).toContain(
            f.ruleId,
          );
        }
      }
    }
  });
});
