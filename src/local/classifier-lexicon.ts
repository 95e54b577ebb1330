/**
 * THE DEVELOPMENT LEXICON SCORER of the local classifier emulators. It is not a model and it
 * judges nothing: it exists so that `npm start` gives stable, explainable scores without AWS.
 * Tests that need a particular score set a fixture instead (`POST /_emulator/fixtures`).
 *
 * How it scores one text (deterministic, case-insensitive, on whole words):
 *   - each theme below has single words (1 hit each) and phrases (2 hits each);
 *   - a theme's score is 0.02 with no hit, 0.72 with 1 hit, 0.86 with 2, 0.95 with 3 or more;
 *   - Comprehend's `Toxicity` is the highest label score.
 * Themes map to Comprehend labels and to Guardrails content-filter types as listed; a Guardrails
 * confidence is HIGH from 0.85, MEDIUM from 0.6, LOW from 0.3, else NONE (so one word is MEDIUM,
 * two words or a phrase HIGH).
 */

export type ToxicLabel = 'PROFANITY' | 'HATE_SPEECH' | 'INSULT' | 'GRAPHIC' | 'HARASSMENT_OR_ABUSE' | 'SEXUAL' | 'VIOLENCE_OR_THREAT';
export const TOXIC_LABELS: readonly ToxicLabel[] = ['PROFANITY', 'HATE_SPEECH', 'INSULT', 'GRAPHIC', 'HARASSMENT_OR_ABUSE', 'SEXUAL', 'VIOLENCE_OR_THREAT'];

export type ContentFilterType = 'HATE' | 'INSULTS' | 'SEXUAL' | 'VIOLENCE' | 'MISCONDUCT' | 'PROMPT_ATTACK';
export const CONTENT_FILTER_TYPES: readonly ContentFilterType[] = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT', 'PROMPT_ATTACK'];

export type Confidence = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';
export const CONFIDENCES: readonly Confidence[] = ['NONE', 'LOW', 'MEDIUM', 'HIGH'];

interface Theme {
  label?: ToxicLabel;
  filter?: ContentFilterType;
  words: string[];
  phrases: string[];
}

/** Deliberately small and mild; extend it here, never in a test (tests use fixtures). */
export const LEXICON: Record<string, Theme> = {
  profanity: { label: 'PROFANITY', words: ['damn', 'crap', 'bloody', 'frick', 'shite'], phrases: ['what the hell'] },
  hate: { label: 'HATE_SPEECH', filter: 'HATE', words: ['subhuman', 'vermin'], phrases: ['go back to where you came from', 'your kind'] },
  insult: { label: 'INSULT', filter: 'INSULTS', words: ['idiot', 'stupid', 'moron', 'loser', 'pathetic', 'dumb', 'worthless'], phrases: ['shut up'] },
  graphic: { label: 'GRAPHIC', words: ['gore', 'bloodbath', 'mutilated'], phrases: [] },
  harassment: {
    label: 'HARASSMENT_OR_ABUSE',
    filter: 'INSULTS',
    words: ['stalk', 'creep'],
    phrases: ['nobody would miss you', 'everyone hates you', 'i know where you live'],
  },
  sexual: { label: 'SEXUAL', filter: 'SEXUAL', words: ['nsfw', 'nude', 'nudes', 'explicit'], phrases: [] },
  violence: { label: 'VIOLENCE_OR_THREAT', filter: 'VIOLENCE', words: ['kill', 'stab', 'shoot', 'hurt'], phrases: ['you will pay', 'watch your back'] },
  misconduct: { filter: 'MISCONDUCT', words: ['counterfeit', 'launder'], phrases: ['buy drugs', 'steal a car'] },
  promptAttack: { filter: 'PROMPT_ATTACK', words: [], phrases: ['ignore previous instructions', 'ignore all previous instructions'] },
};

export const NO_HIT_SCORE = 0.02;

function scoreOf(hits: number): number {
  if (hits <= 0) return NO_HIT_SCORE;
  if (hits === 1) return 0.72;
  if (hits === 2) return 0.86;
  return 0.95;
}

/** Lower-case words joined by single spaces, padded, so whole words and phrases match with includes(). */
function normalise(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  return ` ${words.join(' ')} `;
}

function themeHits(normalised: string, theme: Theme): number {
  let hits = 0;
  for (const w of theme.words) if (normalised.includes(` ${w} `)) hits += 1;
  for (const p of theme.phrases) if (normalised.includes(` ${p} `)) hits += 2;
  return hits;
}

/** Words of the profanity theme: the emulated Guardrails managed word list PROFANITY. */
export function profanityMatches(text: string): string[] {
  const n = normalise(text);
  return LEXICON.profanity!.words.filter((w) => n.includes(` ${w} `));
}

export function comprehendScores(text: string): { toxicity: number; labels: Record<ToxicLabel, number> } {
  const n = normalise(text);
  const labels = Object.fromEntries(TOXIC_LABELS.map((l) => [l, NO_HIT_SCORE])) as Record<ToxicLabel, number>;
  for (const theme of Object.values(LEXICON)) {
    if (!theme.label) continue;
    labels[theme.label] = Math.max(labels[theme.label], scoreOf(themeHits(n, theme)));
  }
  return { toxicity: Math.max(...Object.values(labels)), labels };
}

export function confidenceOf(score: number): Confidence {
  if (score >= 0.85) return 'HIGH';
  if (score >= 0.6) return 'MEDIUM';
  if (score >= 0.3) return 'LOW';
  return 'NONE';
}

export function guardrailConfidences(text: string): Record<ContentFilterType, Confidence> {
  const n = normalise(text);
  const best = Object.fromEntries(CONTENT_FILTER_TYPES.map((t) => [t, 0])) as Record<ContentFilterType, number>;
  for (const theme of Object.values(LEXICON)) {
    if (!theme.filter) continue;
    best[theme.filter] = Math.max(best[theme.filter], themeHits(n, theme));
  }
  return Object.fromEntries(CONTENT_FILTER_TYPES.map((t) => [t, best[t] === 0 ? 'NONE' : confidenceOf(scoreOf(best[t]))])) as Record<ContentFilterType, Confidence>;
}

/** Whole-word, case-insensitive match of a configured word or phrase. */
export function containsWord(text: string, word: string): boolean {
  return normalise(text).includes(normalise(word));
}
