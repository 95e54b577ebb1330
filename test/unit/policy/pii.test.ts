import { describe, expect, it } from 'vitest';
import { findPii, luhnValid, maskPii, type PiiKind, type PiiOptions } from '../../../src/policy/pii.js';

const ALL: PiiOptions = { email: true, phone: true, card: true };
const kinds = (text: string, options: PiiOptions = ALL): PiiKind[] => findPii(text, options).map((m) => m.kind);
const mask = (text: string, options: PiiOptions = ALL): string => maskPii(text, findPii(text, options));

describe('luhnValid', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4242424242424242'])(
    'accepts the test card %s',
    (n) => expect(luhnValid(n)).toBe(true),
  );

  it.each(['4111111111111112', '1234567890123456', '5555555555554443'])('rejects %s', (n) => {
    expect(luhnValid(n)).toBe(false);
  });

  it('rejects anything that is not all digits', () => {
    expect(luhnValid('4111-1111-1111-1111')).toBe(false);
  });
});

describe('e-mail addresses', () => {
  it('masks an address', () => {
    expect(mask('Write to Jane.Doe+chime@mail.example.co.uk today')).toBe('Write to [email redacted] today');
  });

  it('masks every address', () => {
    expect(mask('a@b.io, c.d@e.org')).toBe('[email redacted], [email redacted]');
  });

  it('ignores an @mention and a bare @', () => {
    expect(kinds('thanks @alice, see you @ 5')).toEqual([]);
  });
});

describe('payment cards', () => {
  it.each([
    ['4111111111111111', '1111'],
    ['4111 1111 1111 1111', '1111'],
    ['5555-5555-5555-4444', '4444'],
    ['3782 822463 10005', '0005'],
    ['6011 1111 1111 1117', '1117'],
  ])('masks %s keeping the last four digits', (card, last4) => {
    expect(mask(`pay with ${card} please`)).toBe(`pay with [card ending ${last4}] please`);
  });

  it('does not treat a number that fails Luhn as a card', () => {
    expect(kinds('ref 4111 1111 1111 1112')).toEqual([]);
  });

  it('does not treat a non-Luhn 16-digit number as a phone either', () => {
    expect(kinds('order 1234 5678 9012 3456 shipped')).toEqual([]);
  });

  it('does not treat a Luhn-valid number in an unusual grouping as a card', () => {
    expect(luhnValid('4915112345678')).toBe(true);
    expect(kinds('ref 49 151 12345678')).not.toContain('card');
  });

  it('does not claim a card inside a longer digit run', () => {
    expect(kinds('id 41111111111111110000000')).toEqual([]);
  });
});

describe('phone numbers', () => {
  it.each([
    '+1 (555) 123-4567',
    '+44 20 7946 0958',
    '+49 151 12345678',
    '+4915112345678',
    '(555) 123-4567',
    '555-123-4567',
    '555.123.4567',
    '1-800-555-1234',
    '020 7946 0958',
    '07700 900123',
  ])('masks %s', (phone) => {
    expect(mask(`call ${phone} now`)).toBe('call [phone redacted] now');
  });

  it.each([
    ['a short number', 'room 1234, ext. 567'],
    ['a year', 'since 2024'],
    ['a list of years', 'in 2019 2020 2021'],
    ['a date', 'on 2024-01-15'],
    ['a bare order number', 'order 5551234567'],
    ['an epoch timestamp', 'ts=1700000000'],
    ['an IP address', 'host 192.168.100.200'],
    ['a decimal', 'pi is 3.14159265358'],
    ['a price', 'costs $1,234,567.00'],
    ['coordinates', 'at 51.507351 -0.127758'],
    ['a Luhn-valid card', 'card 3782 822463 10005'],
  ])('does not flag %s', (_label, text) => {
    expect(kinds(text)).not.toContain('phone');
  });

  it('does not flag a card as a phone even when card masking is off', () => {
    expect(kinds('card 3782 822463 10005', { email: true, phone: true, card: false })).toEqual([]);
  });
});

describe('findPii', () => {
  it('reports matches in text order with their kinds', () => {
    const text = 'card 4111111111111111, mail x@y.com, phone +1 555 123 4567';
    expect(findPii(text, ALL).map((m) => [m.kind, text.slice(m.start, m.end)])).toEqual([
      ['card', '4111111111111111'],
      ['email', 'x@y.com'],
      ['phone', '+1 555 123 4567'],
    ]);
  });

  it('sees a phone number written right before a card number', () => {
    expect(mask('+1 555 123 4567 4111111111111111')).toBe('[phone redacted] [card ending 1111]');
  });

  it('skips disabled kinds', () => {
    const text = 'x@y.com +1 555 123 4567 4111111111111111';
    expect(kinds(text, { email: false, phone: true, card: false })).toEqual(['phone']);
    expect(kinds(text, { email: false, phone: false, card: false })).toEqual([]);
  });

  it('does not read digits inside an e-mail address as a phone', () => {
    expect(kinds('reach 5551234567.55512@example.com')).toEqual(['email']);
  });
});

describe('maskPii', () => {
  it('leaves text without matches unchanged', () => {
    expect(maskPii('nothing here', [])).toBe('nothing here');
  });

  it('masks all kinds in one pass', () => {
    expect(mask('Mail a@b.com or call (555) 123-4567; card 4111-1111-1111-1111.')).toBe(
      'Mail [email redacted] or call [phone redacted]; card [card ending 1111].',
    );
  });
});
