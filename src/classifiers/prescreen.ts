/**
 * Which messages go to a classifier: the cheap checks before any call, so that the budget is
 * spent on messages a classifier can judge and that the rules have not settled. Pure.
 *
 *   the rules DENY it                       RULES_DENY      (never sent: a DENY needs no second opinion)
 *   the rules' verdict is not in `judge`    NOT_JUDGED
 *   the sender is in `skipSenders`          SENDER_SKIPPED
 *   no text                                 EMPTY
 *   shorter than `minLength`                SHORT           (code points, spaces at either end not counted)
 *   written in a script the classifier's
 *     languages are not written in          LANGUAGE        takes `onUnsupportedLanguage`
 *   otherwise                               go
 *
 * The script check counts the letters of each script in the first SCRIPT_SAMPLE code points and
 * takes the one with most; a message with no letters (digits, emoji) has no script and goes. It
 * is not language detection: a Latin-script message in French goes to an English-only provider,
 * which may refuse it (REFUSED UnsupportedLanguageException takes the same path).
 */
import type { ChannelMessage, PolicyAction } from '../domain/message.js';
import type { ClassifierSettings, Script, UnavailablePath } from '../policy/classifiers.js';

export type SkipReason = 'RULES_DENY' | 'NOT_JUDGED' | 'SENDER_SKIPPED' | 'EMPTY' | 'SHORT' | 'LANGUAGE';

export type Prescreen =
  | { go: true; text: string; script?: Script }
  | { go: false; reason: SkipReason; detail: string; path?: UnavailablePath };

/** Code points the script check looks at: enough to know, cheap for a 4 KB message. */
export const SCRIPT_SAMPLE = 600;

const SCRIPT_PATTERNS: ReadonlyArray<readonly [Script, RegExp]> = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['han', /\p{Script=Han}/u],
  ['japanese', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['bengali', /\p{Script=Bengali}/u],
  ['tamil', /\p{Script=Tamil}/u],
  ['telugu', /\p{Script=Telugu}/u],
  ['gujarati', /\p{Script=Gujarati}/u],
  ['kannada', /\p{Script=Kannada}/u],
  ['malayalam', /\p{Script=Malayalam}/u],
  ['gurmukhi', /\p{Script=Gurmukhi}/u],
  ['thai', /\p{Script=Thai}/u],
  ['georgian', /\p{Script=Georgian}/u],
  ['armenian', /\p{Script=Armenian}/u],
];
const LETTER = /\p{L}/u;

/** The script most of the text's letters are written in; undefined when it has no letters (or only letters of other scripts). */
export function dominantScript(text: string): Script | undefined {
  const counts = new Map<Script, number>();
  let seen = 0;
  for (const ch of text) {
    if (seen++ >= SCRIPT_SAMPLE) break;
    const code = ch.codePointAt(0)!;
    if (code < 0x80) {
      if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) counts.set('latin', (counts.get('latin') ?? 0) + 1);
      continue;
    }
    if (!LETTER.test(ch)) continue;
    const hit = SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(ch));
    if (hit) counts.set(hit[0], (counts.get(hit[0]) ?? 0) + 1);
  }
  // Japanese is written in kana and Han together: any kana makes the Han letters Japanese.
  const kana = counts.get('japanese') ?? 0;
  if (kana > 0) {
    counts.set('japanese', kana + (counts.get('han') ?? 0));
    counts.delete('han');
  }
  let best: Script | undefined;
  let most = 0;
  for (const [script, n] of counts) {
    if (n > most) {
      best = script;
      most = n;
    }
  }
  return best;
}

/** Whether `script` is one the classifier serves (Han is served with Japanese: kanji-only text is common there). */
const serves = (scripts: readonly Script[], script: Script): boolean => scripts.includes(script) || (script === 'han' && scripts.includes('japanese'));

function senderSkipped(entries: readonly string[], arn: string): boolean {
  for (const entry of entries) {
    if (entry.endsWith('*') ? arn.startsWith(entry.slice(0, -1)) : arn === entry) return true;
  }
  return false;
}

function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/**
 * Whether a message goes to this classifier, given the rules' verdict. `text` is what is sent:
 * the content as it would be delivered (the rules' masked content for an UPDATE, so a
 * classifier never receives the PII the rules hid), else the content as written.
 */
export function prescreen(settings: ClassifierSettings, message: ChannelMessage, rules: { action: PolicyAction; content?: string }): Prescreen {
  if (rules.action === 'DENY') return { go: false, reason: 'RULES_DENY', detail: 'The rules deny it: not sent to a classifier' };
  if (!(settings.judge as readonly string[]).includes(rules.action)) {
    return { go: false, reason: 'NOT_JUDGED', detail: `The rules' verdict is ${rules.action}; this classifier judges ${settings.judge.join(', ')} only` };
  }
  if (senderSkipped(settings.skipSenders, message.sender.arn)) return { go: false, reason: 'SENDER_SKIPPED', detail: 'The sender is on the classifier’s skipSenders list' };
  const text = rules.action === 'UPDATE' && rules.content !== undefined ? rules.content : message.content;
  const length = codePoints(text.trim());
  if (length === 0) return { go: false, reason: 'EMPTY', detail: 'No text to judge' };
  if (length < settings.minLength) return { go: false, reason: 'SHORT', detail: `${length} characters; the classifier judges ${settings.minLength} or more` };
  if (settings.scripts.length === 0) return { go: true, text };
  const script = dominantScript(text);
  if (script === undefined) return { go: true, text };
  if (!serves(settings.scripts, script)) {
    return {
      go: false,
      reason: 'LANGUAGE',
      detail: `Written in the ${script} script; the classifier serves ${settings.languages.join(', ')} (onUnsupportedLanguage: ${settings.onUnsupportedLanguage})`,
      path: settings.onUnsupportedLanguage,
    };
  }
  return { go: true, text, script };
}
