import { diffLines, hunks, splitLines } from '../lib/diff';

/**
 * Two YAML texts, line by line: removed lines struck in red, added lines in green (and said so,
 * for screen readers), unchanged stretches folded to a count.
 */
export function DiffView(props: { before: string; after: string; beforeLabel: string; afterLabel: string }) {
  const ops = diffLines(splitLines(props.before), splitLines(props.after));
  const { hunks: parts, skippedAfter, added, removed } = hunks(ops);
  return (
    <figure class="diff">
      <figcaption>
        {props.beforeLabel} → {props.afterLabel}:{' '}
        {added === 0 && removed === 0 ? (
          'no difference.'
        ) : (
          <>
            <span class="diff-added-count">
              {added} line{added === 1 ? '' : 's'} added
            </span>
            ,{' '}
            <span class="diff-removed-count">
              {removed} line{removed === 1 ? '' : 's'} removed
            </span>
            .
          </>
        )}
      </figcaption>
      {parts.length > 0 && (
        <div class="diff-lines" role="region" aria-label={`Changes from ${props.beforeLabel} to ${props.afterLabel}`} tabIndex={0}>
          {parts.map((hunk, h) => (
            <div key={h} class="diff-hunk">
              {hunk.skippedBefore > 0 && <div class="diff-skip">⋯ {hunk.skippedBefore} unchanged lines</div>}
              {hunk.ops.map((op, i) => {
                const number = op.kind === 'add' ? op.newLine : op.oldLine;
                const sign = op.kind === 'add' ? '+' : op.kind === 'del' ? '−' : ' ';
                const line = (
                  <>
                    <span class="diff-number" aria-hidden="true">
                      {number}
                    </span>
                    <span class="diff-sign" aria-hidden="true">
                      {sign}
                    </span>
                    {op.kind === 'add' && <span class="visually-hidden">Added: </span>}
                    {op.kind === 'del' && <span class="visually-hidden">Removed: </span>}
                    {op.text || ' '}
                  </>
                );
                if (op.kind === 'add')
                  return (
                    <ins key={i} class="diff-line diff-add">
                      {line}
                    </ins>
                  );
                if (op.kind === 'del')
                  return (
                    <del key={i} class="diff-line diff-del">
                      {line}
                    </del>
                  );
                return (
                  <div key={i} class="diff-line">
                    {line}
                  </div>
                );
              })}
            </div>
          ))}
          {skippedAfter > 0 && <div class="diff-skip">⋯ {skippedAfter} unchanged lines</div>}
        </div>
      )}
    </figure>
  );
}
