import { describe, expect, it } from 'vitest';
import { highlightRuns } from '../../../console/src/lib/highlight.js';

const text = (runs: ReturnType<typeof highlightRuns>) => runs.map((r) => [r.text, r.rules.join('+')]);

describe('highlighting findings in place', () => {
  it('cuts the content at the spans, [start, end) in UTF-16 units', () => {
    const content = 'Refund me at bob@example.com now';
    const runs = highlightRuns(content, [
      { ruleId: 'terms.review', spans: [{ start: 0, end: 6 }] },
      { ruleId: 'pii.email', spans: [{ start: 13, end: 28 }] },
    ]);
    expect(text(runs)).toEqual([
      ['Refund', 'terms.review'],
      [' me at ', ''],
      ['bob@example.com', 'pii.email'],
      [' now', ''],
    ]);
    expect(runs.map((r) => r.text).join('')).toBe(content);
  });

  it('marks overlapping spans with every rule that covers them', () => {
    const runs = highlightRuns('see bit.ly/scam now', [
      { ruleId: 'links.deny', spans: [{ start: 4, end: 15 }] },
      { ruleId: 'terms.block', spans: [{ start: 11, end: 15 }] },
    ]);
    expect(text(runs)).toEqual([
      ['see ', ''],
      ['bit.ly/', 'links.deny'],
      ['scam', 'links.deny+terms.block'],
      [' now', ''],
    ]);
  });

  it('ignores spans it cannot trust, and never splits a surrogate pair', () => {
    const content = 'pay 💸 now';
    // 💸 is two UTF-16 units at 4 and 5; a span ending inside it is widened.
    expect(text(highlightRuns(content, [{ ruleId: 'x', spans: [{ start: 4, end: 5 }] }]))).toEqual([
      ['pay ', ''],
      ['💸', 'x'],
      [' now', ''],
    ]);
    const plain = highlightRuns(content, [{ ruleId: 'bad', spans: [{ start: 7, end: 3 }, { start: 50, end: 60 }, { start: 2, end: 2 }] }, { ruleId: 'none' }]);
    expect(text(plain)).toEqual([[content, '']]);
  });

  it('renders an empty message as one plain run', () => {
    expect(text(highlightRuns('', [{ ruleId: 'x', spans: [{ start: 0, end: 3 }] }]))).toEqual([['', '']]);
  });
});
