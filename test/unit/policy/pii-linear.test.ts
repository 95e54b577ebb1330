import { describe, expect, it } from 'vitest';
import { findPii, phoneCandidates } from '../../../src/policy/pii.js';
import { prng } from '../../support/prng.js';

const ALL = { email: true, phone: true, card: true };

/** The regex phone candidates were found with before, run as it was (from the window's start): the reference. */
function regexCandidates(text: string, window = { start: 0, end: text.length }): Array<{ start: number; end: number }> {
  const re = /\+?[\d(][\d ().-]*\d/g;
  const out = [];
  re.lastIndex = window.start;
  for (let m = re.exec(text); m !== null && m.index < window.end; m = re.exec(text)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

const RUNS = {
  '(': '('.repeat(64_000),
  '(1': '(1'.repeat(32_000),
  '1 ': '1 '.repeat(32_000),
};

describe('phone candidates', () => {
  it.each(Object.entries(RUNS))('reads a 64,000-character run of "%s" after a number a bounded number of times per character', (_name, run) => {
    const text = `call 555-123-4567 ${run}`;
    const work = { steps: 0 };
    phoneCandidates(text, { start: 0, end: text.length }, work);
    expect(work.steps).toBeLessThanOrEqual(2 * text.length);
  });

  it.each(Object.entries(RUNS))('reads a bare 64,000-character run of "%s" a bounded number of times per character', (_name, run) => {
    const work = { steps: 0 };
    phoneCandidates(run, { start: 0, end: run.length }, work);
    expect(work.steps).toBeLessThanOrEqual(2 * run.length);
  });

  it('still finds the number in front of the run, and nothing in the run', () => {
    const text = `call 555-123-4567 ${RUNS['(']}`;
    expect(findPii(text, ALL)).toEqual([{ kind: 'phone', start: 5, end: 17, replacement: '[phone redacted]' }]);
  });

  it('finds exactly what the regex found, on random text of digits, separators and plus signs', () => {
    const random = prng(20261207);
    const alphabet = '0123456789 ().-+((x';
    for (let n = 0; n < 3_000; n++) {
      const length = Math.floor(random() * 40);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(phoneCandidates(text, { start: 0, end: text.length }), JSON.stringify(text)).toEqual(regexCandidates(text));
    }
  });

  it('keeps to the window as the regex did: candidates start inside it, and may run past its end', () => {
    const text = 'x 12 34 (5 6 7) y +1 2 (3 4';
    for (const window of [{ start: 3, end: 12 }, { start: 0, end: 9 }, { start: 17, end: 19 }, { start: 22, end: 24 }]) {
      expect(phoneCandidates(text, window), JSON.stringify(window)).toEqual(regexCandidates(text, window));
    }
  });
});
