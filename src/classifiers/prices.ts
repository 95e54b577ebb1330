/**
 * What classifier calls cost, priced from the dated file of published unit prices that `npm run
 * bench` reads too (bench/prices-2026-12.json). That file is the one source of truth: it is
 * imported here as JSON (bundled into each function at build time), never copied. A new price or
 * region is a new dated file, and this import names it. Pure.
 */
import prices from '../../bench/prices-2026-12.json' with { type: 'json' };
import type { ProviderSettings } from '../policy/classifiers.js';

export const CLASSIFIER_PRICES = {
  file: 'bench/prices-2026-12.json',
  asOf: prices.asOf,
  region: prices.region,
  currency: prices.currency,
  comprehendPerUnit: prices.comprehend.perUnit,
  guardrailContentFiltersPerThousandTextUnits: prices.bedrockGuardrails.contentFiltersPerThousandTextUnits,
} as const;

/**
 * The list price of `units` billing units of a provider (src/classifiers/stage.ts costOf counts
 * them): Comprehend per 100-character unit; Guardrails per 1,000-character text unit of the
 * content filters (the filters a `bedrock-guardrail` classifier's thresholds read; a guardrail
 * that also has denied topics or PII filters costs more per unit). `http` has no published price:
 * null.
 */
export function unitsCost(provider: ProviderSettings['kind'], units: number): number | null {
  switch (provider) {
    case 'comprehend-toxicity':
      return units * CLASSIFIER_PRICES.comprehendPerUnit;
    case 'bedrock-guardrail':
      return (units * CLASSIFIER_PRICES.guardrailContentFiltersPerThousandTextUnits) / 1000;
    case 'http':
      return null;
  }
}

/** Money rounded to a millionth of a dollar, so that sums read cleanly. */
export const roundUsd = (usd: number): number => Math.round(usd * 1e6) / 1e6;
