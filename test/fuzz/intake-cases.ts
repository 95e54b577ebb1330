import { CHANNEL_ARN_PATTERN } from '../../src/intake/event.js';
import { CHANNEL, SENDER } from './fixtures.js';
import { deepValue, HOSTILE_JSON, HOSTILE_STRINGS, injectChar, objectWith, preview, RawJson, withKey, withoutKey } from './hostile.js';
import type { Rng } from './random.js';

/**
 * Target 2: intake, invoked as Lambda invokes it (the local runtime, in process) with hostile
 * events. An event Chime could never send is REJECTED with its issues and kept on the intake
 * DLQ with its reason, and nothing is recorded; an event Chime could send is ACCEPTED. Which one
 * each input is comes from the Chime API model (botocore chime-sdk-messaging) as the brief and
 * src/intake/event.ts state it, written out here: ids of [-_a-zA-Z0-9], CallbackId 32-64,
 * MessageId 1-128, a channel ARN, an ARN for the sender, a sender name of XML characters up to
 * 512, content 1 character to 8 KB of UTF-8, metadata up to 2 KB, timestamps from 2015 on.
 */

export type IntakeVerdict = 'reject' | 'accept' | 'either';

export interface IntakeCase {
  id: string;
  group: string;
  name: string;
  verdict: IntakeVerdict;
  /** Built at run time: timestamps are relative to the stack's clock. */
  event(nowMs: number): unknown;
  /** The CallbackId the event carries, when it is a string (what must, or must not, be in the table). */
  callbackId?: string;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The model's ChimeArn pattern (Sender.Arn), 5-1600 characters. */
const CHIME_ARN = /^arn:[a-z0-9.-]{1,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[a-z0-9.-]{0,63}:[^/].{0,1023}$/;
/** ResourceName: XML's characters, no other control characters, no lone surrogates. */
const RESOURCE_NAME = /^[\t\n\r\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const hasLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

type Message = Record<string, unknown>;
type Event = Record<string, unknown>;

function baseEvent(rng: Rng, nowMs: number, callbackId: string, messageId: string): Event {
  return {
    EventType: 'CHANNEL_MESSAGE_EVENT',
    CallbackId: callbackId,
    ChannelMessage: {
      MessageId: messageId,
      ChannelArn: CHANNEL,
      Content: 'hello from the fuzz suite',
      Metadata: '{"k":1}',
      Sender: { Arn: SENDER, Name: 'fuzz sender' },
      Persistence: 'PERSISTENT',
      Type: 'STANDARD',
      CreatedTimestamp: new Date(nowMs - 60_000).toISOString(),
    },
  };
}

interface Mutation {
  group: string;
  name: string;
  verdict: IntakeVerdict;
  apply(event: Event, nowMs: number): unknown;
}

const message = (event: Event) => event.ChannelMessage as Message;
const withMessage = (event: Event, m: Message) => withKey(event, 'ChannelMessage', m);
const setField = (field: string, value: unknown) => (event: Event) => withMessage(event, withKey(message(event), field, value));
const dropField = (field: string) => (event: Event) => withMessage(event, withoutKey(message(event), field));
const setSender = (field: string, value: unknown) => (event: Event) => withMessage(event, withKey(message(event), 'Sender', withKey(message(event).Sender as Message, field, value)));

/** One verdict per value, from the model's rule for the field. */
function stringField(group: string, field: string, values: Array<{ label: string; value: unknown }>, ok: (s: string) => boolean | 'either', set: (v: unknown) => (e: Event) => unknown): Mutation[] {
  return values.map(({ label, value }) => {
    const verdict: IntakeVerdict = typeof value !== 'string' ? 'reject' : ok(value) === 'either' ? 'either' : ok(value) ? 'accept' : 'reject';
    return { group, name: `${field} ${label} ${preview(value, 30)}`, verdict, apply: set(value) };
  });
}

const strings = (extra: Array<{ label: string; value: unknown }> = []) => [
  ...HOSTILE_STRINGS.map((h) => ({ label: h.label, value: h.value as unknown })),
  ...HOSTILE_JSON.filter((h) => typeof h.value !== 'string' && !(h.value instanceof RawJson)).map((h) => ({ label: `wrong type: ${h.label}`, value: h.value })),
  ...extra,
];

function mutations(rng: Rng): Mutation[] {
  const id = (n: number) => rng.chars(n, ID_CHARS);
  const idLike = (n: number) => Array.from({ length: 4 }, () => injectChar(rng, id(n)));
  const out: Mutation[] = [];

  // The whole event.
  const wholes: Array<[string, unknown]> = [
    ['null', null],
    ['undefined', undefined],
    ['zero', 0],
    ['a string', 'CHANNEL_MESSAGE_EVENT'],
    ['an empty array', []],
    ['an empty object', {}],
    ['true', true],
    ['arrays nested 10,000 deep', deepValue('array', 10_000)],
    ['objects nested 10,000 deep', deepValue('object', 10_000)],
    ['10,000 unknown keys', Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))],
  ];
  for (const [label, value] of wholes) out.push({ group: 'event-shape', name: `the event is ${label}`, verdict: 'reject', apply: () => value });
  out.push({ group: 'event-shape', name: 'the event inside an array', verdict: 'reject', apply: (e) => [e] });
  out.push({ group: 'event-shape', name: 'the event wrapped as EventBridge detail', verdict: 'reject', apply: (e) => ({ 'detail-type': 'Chime', detail: e }) });
  out.push({ group: 'event-shape', name: 'the event as JSON text', verdict: 'reject', apply: (e) => JSON.stringify(e) });

  // Required fields missing; optional ones missing (Chime may leave them out).
  for (const f of ['EventType', 'CallbackId', 'ChannelMessage']) out.push({ group: 'missing', name: `without ${f}`, verdict: 'reject', apply: (e) => withoutKey(e, f) });
  for (const f of ['MessageId', 'ChannelArn', 'Sender']) out.push({ group: 'missing', name: `without ChannelMessage.${f}`, verdict: 'reject', apply: dropField(f) });
  out.push({ group: 'missing', name: 'without Sender.Arn', verdict: 'reject', apply: (e) => withMessage(e, withKey(message(e), 'Sender', withoutKey(message(e).Sender as Message, 'Arn'))) });
  for (const f of ['Content', 'Metadata', 'Persistence', 'Type', 'CreatedTimestamp']) out.push({ group: 'missing', name: `without ChannelMessage.${f} (optional)`, verdict: 'accept', apply: dropField(f) });
  out.push({ group: 'missing', name: 'without Sender.Name (optional)', verdict: 'accept', apply: (e) => withMessage(e, withKey(message(e), 'Sender', withoutKey(message(e).Sender as Message, 'Name'))) });

  // Field by field.
  out.push(
    ...stringField('EventType', 'EventType', strings([{ label: 'lower case', value: 'channel_message_event' }, { label: 'trailing space', value: 'CHANNEL_MESSAGE_EVENT ' }, { label: 'zero-width', value: 'CHANNEL_MESSAGE_EVENT\u200b' }, { label: 'another event', value: 'CHANNEL_MEMBERSHIP_EVENT' }]), (s) => s === 'CHANNEL_MESSAGE_EVENT', (v) => (e) => withKey(e, 'EventType', v)),
  );
  const callbackIds = [
    { label: '31 characters', value: id(31) },
    { label: '65 characters', value: id(65) },
    { label: '10,000 characters', value: id(10_000) },
    { label: 'a UUID (Chime-like)', value: '5a9a5c2a-7e7e-4f0c-9d1f-0a1b2c3d4e5f' },
    ...idLike(48).map((v) => ({ label: `valid length, ${v.label}`, value: v.value })),
    ...idLike(32).map((v) => ({ label: `32 long, ${v.label}`, value: v.value })),
  ];
  out.push(...stringField('CallbackId', 'CallbackId', strings(callbackIds), (s) => /^[-_a-zA-Z0-9]{32,64}$/.test(s), (v) => (e) => withKey(e, 'CallbackId', v)));
  out.push(
    ...stringField('MessageId', 'MessageId', strings([{ label: '129 characters', value: id(129) }, { label: '128 characters', value: id(128) }, ...idLike(36).map((v) => ({ label: v.label, value: v.value }))]), (s) => /^[-_a-zA-Z0-9]{1,128}$/.test(s), setField.bind(null, 'MessageId')),
  );
  out.push(
    ...stringField(
      'ChannelArn',
      'ChannelArn',
      strings([
        { label: 'an app instance, not a channel', value: CHANNEL.replace(/\/channel\/.*$/, '') },
        { label: 'a user ARN', value: SENDER },
        { label: 'channel id of 64 + 1', value: `${CHANNEL.replace(/[^/]+$/, '')}${'c'.repeat(65)}` },
        { label: '1601 characters', value: `${CHANNEL}${'c'.repeat(1601 - CHANNEL.length)}` },
        ...Array.from({ length: 5 }, () => injectChar(rng, CHANNEL)).map((v) => ({ label: `channel ARN with ${v.label}`, value: v.value })),
      ]),
      (s) => s.length >= 5 && s.length <= 1600 && CHANNEL_ARN_PATTERN.test(s),
      setField.bind(null, 'ChannelArn'),
    ),
  );
  // Content: 1 character to 8 KB of UTF-8; what it says is the moderators' business, not intake's.
  out.push(
    ...stringField(
      'Content',
      'Content',
      strings([{ label: '8 KB + 1 of UTF-8 (4097 é)', value: '\u00e9'.repeat(4097) }, { label: 'exactly 8 KB of ASCII', value: 'x'.repeat(8192) }, { label: 'whitespace only', value: '   ' }]),
      (s) => (s.length === 0 || bytes(s) > 8192 ? false : hasLoneSurrogate(s) ? 'either' : true),
      setField.bind(null, 'Content'),
    ),
  );
  out.push(
    ...stringField(
      'Metadata',
      'Metadata',
      strings([{ label: '2 KB + 1', value: 'm'.repeat(2049) }, { label: 'not JSON', value: '{not json' }]),
      (s) => (bytes(s) > 2048 ? false : hasLoneSurrogate(s) ? 'either' : true),
      setField.bind(null, 'Metadata'),
    ),
  );
  out.push(
    ...stringField(
      'Sender',
      'Sender.Arn',
      strings([{ label: 'ARN with a slash first', value: 'arn:aws:chime:us-east-1:123456789012:/x' }, { label: '4 characters', value: 'arn:' }, ...Array.from({ length: 3 }, () => injectChar(rng, SENDER)).map((v) => ({ label: v.label, value: v.value }))]),
      (s) => s.length >= 5 && s.length <= 1600 && CHIME_ARN.test(s),
      (v) => setSender('Arn', v),
    ),
  );
  out.push(
    ...stringField('Sender', 'Sender.Name', strings([{ label: '513 characters', value: 'n'.repeat(513) }]), (s) => s.length <= 512 && RESOURCE_NAME.test(s), (v) => setSender('Name', v)),
  );
  out.push({ group: 'Sender', name: 'Sender is a string', verdict: 'reject', apply: setField('Sender', SENDER) });
  out.push({ group: 'Sender', name: 'Sender is an array', verdict: 'reject', apply: setField('Sender', [{ Arn: SENDER }]) });
  out.push(...stringField('Persistence', 'Persistence', strings([{ label: 'NON_PERSISTENT', value: 'NON_PERSISTENT' }, { label: 'lower case', value: 'persistent' }]), (s) => s === 'PERSISTENT' || s === 'NON_PERSISTENT', setField.bind(null, 'Persistence')));
  out.push(...stringField('Type', 'Type', strings([{ label: 'CONTROL', value: 'CONTROL' }, { label: 'lower case', value: 'standard' }]), (s) => s === 'STANDARD' || s === 'CONTROL', setField.bind(null, 'Type')));
  out.push({ group: 'ChannelMessage', name: 'ChannelMessage is a string', verdict: 'reject', apply: (e) => withKey(e, 'ChannelMessage', 'hello') });
  out.push({ group: 'ChannelMessage', name: 'ChannelMessage is an array', verdict: 'reject', apply: (e) => withKey(e, 'ChannelMessage', [message(e)]) });
  out.push({ group: 'ChannelMessage', name: 'ChannelMessage is null', verdict: 'reject', apply: (e) => withKey(e, 'ChannelMessage', null) });

  // Timestamps: a real date from 2015 on, not more than a day ahead; "" reads as absent.
  const stamps: Array<{ label: string; value: (now: number) => unknown; verdict: IntakeVerdict }> = [
    { label: '-1e20', value: () => '-1e20', verdict: 'reject' },
    { label: '1e308', value: () => '1e308', verdict: 'reject' },
    { label: 'NaN', value: () => 'NaN', verdict: 'reject' },
    { label: 'Infinity', value: () => 'Infinity', verdict: 'reject' },
    { label: '-0', value: () => '-0', verdict: 'reject' },
    { label: 'yesterday', value: () => 'yesterday', verdict: 'reject' },
    { label: 'in 2014', value: () => '2014-12-31T23:59:59.000Z', verdict: 'reject' },
    { label: 'two days ahead', value: (now) => new Date(now + 2 * 86_400_000).toISOString(), verdict: 'reject' },
    { label: '65 characters', value: () => `2020-01-01T00:00:00.000Z${' '.repeat(41)}`, verdict: 'reject' },
    { label: 'a space', value: () => ' ', verdict: 'reject' },
    { label: 'hex', value: () => '0x10', verdict: 'reject' },
    { label: 'a number, not a string', value: (now) => now, verdict: 'reject' },
    { label: 'an object', value: () => ({ $date: 1 }), verdict: 'reject' },
    { label: 'empty (read as absent)', value: () => '', verdict: 'accept' },
    { label: 'epoch milliseconds', value: (now) => String(now - 1000), verdict: 'accept' },
    { label: 'epoch seconds', value: (now) => String(Math.floor(now / 1000) - 1), verdict: 'accept' },
    { label: 'an offset', value: (now) => new Date(now - 3_600_000).toISOString().replace('Z', '+00:00'), verdict: 'accept' },
  ];
  for (const field of ['CreatedTimestamp', 'LastEditedTimestamp']) {
    for (const s of stamps) out.push({ group: 'timestamps', name: `${field} ${s.label}`, verdict: s.verdict, apply: (e, now) => setField(field, s.value(now))(e) });
  }

  // Keys that must not reach a prototype; fields Chime may add (passed through, never a reason to refuse).
  out.push({ group: 'extra-keys', name: '__proto__ at the top', verdict: 'accept', apply: (e) => withKey(e, '__proto__', { isAdmin: true, isModerator: true, polluted: true }) });
  out.push({ group: 'extra-keys', name: 'constructor.prototype at the top', verdict: 'accept', apply: (e) => withKey(e, 'constructor', { prototype: { polluted: true } }) });
  out.push({ group: 'extra-keys', name: '__proto__ in ChannelMessage', verdict: 'accept', apply: (e) => withMessage(e, withKey(message(e), '__proto__', { polluted: true })) });
  out.push({
    group: 'extra-keys',
    name: 'the required fields only under __proto__',
    verdict: 'reject',
    apply: (e) => withKey(e, 'ChannelMessage', objectWith([['__proto__', message(e)]])),
  });
  out.push({ group: 'extra-keys', name: 'an unknown field nested 10,000 deep', verdict: 'accept', apply: (e) => withKey(e, 'Extra', deepValue('object', 10_000)) });
  out.push({ group: 'extra-keys', name: 'an unknown 200 KB field', verdict: 'accept', apply: (e) => withMessage(e, withKey(message(e), 'Attachment', 'a'.repeat(200_000))) });
  out.push({ group: 'extra-keys', name: 'a 300 KB event with a bad CallbackId', verdict: 'reject', apply: (e) => withKey(withMessage(e, withKey(message(e), 'Attachment', 'a'.repeat(300_000))), 'CallbackId', 'bad') });
  return out;
}

/**
 * A sample of the mutations: every one of the event's shape and of the required fields, up to
 * `perGroup` of each field's, then random ones up to `total`; each on a fresh event (its own
 * CallbackId).
 */
export function intakeCases(rng: Rng, total: number, perGroup = 7): IntakeCase[] {
  const all = mutations(rng);
  const groups = new Map<string, Mutation[]>();
  for (const m of all) groups.set(m.group, [...(groups.get(m.group) ?? []), m]);
  const chosen: Mutation[] = [];
  for (const [group, members] of groups) {
    const every = group === 'event-shape' || group === 'missing' || group === 'extra-keys';
    // Both verdicts of a field when it has both: what it accepts matters as much as what it refuses.
    const shuffled = rng.shuffle(members);
    const accepted = shuffled.filter((m) => m.verdict !== 'reject').slice(0, 2);
    chosen.push(...(every ? members : [...accepted, ...shuffled.filter((m) => !accepted.includes(m)).slice(0, perGroup - accepted.length)]));
  }
  const rest = all.filter((m) => !chosen.includes(m));
  while (chosen.length < total && rest.length > 0) chosen.push(rest.splice(rng.int(rest.length), 1)[0]!);
  return chosen.map((m, i) => {
    const callbackId = rng.chars(48, ID_CHARS.slice(0, 62));
    const messageId = rng.chars(36, ID_CHARS.slice(0, 62));
    return {
      id: `intake#${i}`,
      group: m.group,
      name: m.name,
      verdict: m.verdict,
      event: (nowMs: number) => m.apply(baseEvent(rng, nowMs, callbackId, messageId), nowMs),
      callbackId,
    };
  });
}
