/**
 * The message as the sender wrote it, cut into runs for highlighting. Findings carry spans,
 * `[start, end)` in UTF-16 code units of the content (JavaScript string indices). Spans may
 * overlap (a link that is also a blocked term); each run lists every rule that covers it.
 * Bad spans (out of range, empty, reversed) are ignored rather than trusted; a boundary that
 * falls inside a surrogate pair is widened so an emoji is never split.
 */

export interface Span {
  start: number;
  end: number;
}

export interface FindingWithSpans {
  ruleId: string;
  spans?: Span[] | undefined;
}

export interface Run {
  text: string;
  start: number;
  end: number;
  /** Rule ids covering this run; empty for plain text. */
  rules: string[];
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

function widen(content: string, span: Span): Span | undefined {
  let start = Math.max(0, Math.floor(span.start));
  let end = Math.min(content.length, Math.floor(span.end));
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return undefined;
  if (start > 0 && isLowSurrogate(content.charCodeAt(start))) start -= 1;
  if (end < content.length && isLowSurrogate(content.charCodeAt(end))) end += 1;
  return { start, end };
}

export function highlightRuns(content: string, findings: readonly FindingWithSpans[]): Run[] {
  const marks: Array<{ rule: string; span: Span }> = [];
  for (const finding of findings) {
    for (const span of finding.spans ?? []) {
      const fixed = widen(content, span);
      if (fixed) marks.push({ rule: finding.ruleId, span: fixed });
    }
  }
  const cuts = new Set<number>([0, content.length]);
  for (const { span } of marks) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const runs: Run[] = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const rules = [...new Set(marks.filter((m) => m.span.start <= start && m.span.end >= end).map((m) => m.rule))].sort();
    const last = runs[runs.length - 1];
    if (last && last.rules.join() === rules.join()) {
      last.end = end;
      last.text = content.slice(last.start, end);
    } else {
      runs.push({ text: content.slice(start, end), start, end, rules });
    }
  }
  return runs.length > 0 ? runs : [{ text: content, start: 0, end: content.length, rules: [] }];
}

/** The family of a rule (`terms`, `pii`, `links`, …): what colour its highlight gets. */
export const ruleFamily = (ruleId: string): string => ruleId.split('.')[0] ?? ruleId;
