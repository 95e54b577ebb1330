import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, type Api, type PolicyDetail } from '../api/client';
import { ErrorState, Loading } from '../components/States';
import { effectiveSources, SECTIONS, type Layer, type SectionSources } from '../lib/effective-sources';
import { onLinkClick, policyUrl } from '../router';
import { CommunityView } from './CommunityView';
import { scopeLabel, sourceLabel } from './scopes';

/**
 * The policy that applies at a scope, as the API merges it (global → app instance → channel),
 * each setting and list entry labelled with the scope it comes from. The labels are worked out
 * here from the layers' own documents (see lib/effective-sources.ts); the policy is the API's.
 */
const SHOWN_ENTRIES = 200;

const SECTION_TITLES: Record<string, string> = {
  senders: 'Senders',
  content: 'Content size',
  metadata: 'Metadata',
  terms: 'Terms and phrases',
  links: 'Links',
  pii: 'Personal data',
};

export function EffectiveView(props: { api: Api; detail: PolicyDetail }) {
  const { detail } = props;
  const effective = detail.effective;
  const [showShadow, setShowShadow] = useState(false);
  const merged = showShadow && effective?.shadow ? effective.shadow : effective;
  const [layers, setLayers] = useState<Layer[]>();
  const [error, setError] = useState<ApiError>();
  const key = (merged?.layers ?? []).map((l) => `${l.scope}@${l.version}`).join('>');

  useEffect(() => {
    if (!merged) return;
    let cancelled = false;
    setLayers(undefined);
    Promise.all(
      merged.layers.map(async (layer): Promise<Layer> => {
        if (layer.scope === detail.scope) return { scope: layer.scope, document: detail.document };
        const read = await call(props.api.GET('/policies/{scope}/versions/{version}', { params: { path: { scope: layer.scope, version: layer.version ?? 0 } } }));
        return { scope: layer.scope, document: read.document };
      }),
    )
      .then((l) => {
        if (!cancelled) setLayers(l);
      })
      .catch((e: unknown) => {
        if (!cancelled && e instanceof ApiError) setError(e);
      });
    return () => {
      cancelled = true;
    };
  }, [key, detail.version]);

  if (!effective || !merged) return <Loading what="the effective policy" />;
  const sources = layers ? effectiveSources(layers, merged.document) : undefined;

  return (
    <section class="effective" aria-labelledby="effective-title">
      <h2 id="effective-title">Effective policy at {scopeLabel(detail.scope)}</h2>
      <p class="hint">
        What judges a message here: every scope of the chain merged, broadest first. Lists add up, <code>remove:</code> takes inherited entries out, and the narrowest scope that writes a
        setting wins. Each value says where it comes from.
      </p>
      <ol class="layers" aria-label="Scopes merged, broadest first">
        {merged.layers.map((l, i) => (
          <li key={l.scope}>
            {i > 0 && (
              <span class="layer-arrow" aria-hidden="true">
                ›{' '}
              </span>
            )}
            <a href={policyUrl(l.scope)} onClick={onLinkClick}>
              {scopeLabel(l.scope)}
            </a>{' '}
            <span class="muted">
              {l.scope === 'global' && l.version === 0 ? 'v0 (the bundled POLICY_FILE)' : `v${l.version}`}
              {l.mode === 'shadow' ? ', shadow' : ''}
            </span>
          </li>
        ))}
      </ol>
      {effective.shadow && (
        <div class="notice notice-shadow">
          <p class="notice-title">A scope of this chain is in shadow mode</p>
          <p>Its verdicts are recorded beside the applied ones, never applied. {showShadow ? 'Shown: every scope merged as if enforced.' : 'Shown: what is applied.'}</p>
          <button type="button" aria-pressed={showShadow} onClick={() => setShowShadow((s) => !s)}>
            {showShadow ? 'Show what is applied' : 'Show the shadow policy'}
          </button>
        </div>
      )}
      {effective.unmatchedRemovals.length > 0 && (
        <div class="notice" role="note">
          <p class="notice-title">Removals that match nothing inherited</p>
          <ul>
            {effective.unmatchedRemovals.map((r, i) => (
              <li key={i}>
                {scopeLabel(r.scope)} removes <q>{r.entry}</q> from <code>{r.path.replace(/^remove\./, '')}</code>, which it does not inherit (a typo, or stale?).
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && <ErrorState error={error} what="the scopes’ own documents (to say where each setting comes from)" />}
      {!sources && !error && <Loading what="where each setting comes from" />}
      {sources && (
        <div class="sections">
          {SECTIONS.map((section) => (
            <SectionView key={section} name={section} sources={sources[section]} here={detail.scope} />
          ))}
        </div>
      )}
      {/* The enforced scopes' settings, whichever view is shown: a shadow scope's never apply. */}
      {layers && <CommunityView layers={layers.filter((l) => effective.layers.some((e) => e.scope === l.scope))} community={effective.community as Record<string, unknown>} here={detail.scope} />}
    </section>
  );
}

function Source(props: { source: string; here: string }) {
  return <span class={`source source-${props.source === props.here ? 'here' : props.source === 'default' ? 'default' : 'inherited'}`}>{sourceLabel(props.source, props.here)}</span>;
}

function SectionView(props: { name: string; sources: SectionSources; here: string }) {
  const s = props.sources;
  return (
    <section class={`effective-section${s.on ? '' : ' off'}`} aria-labelledby={`section-${props.name}`}>
      <h3 id={`section-${props.name}`}>
        {SECTION_TITLES[props.name]} <code class="muted">{props.name}</code>{' '}
        {s.on ? (
          <span class="muted small-print">
            on, from <Source source={s.enabledBy ?? 'unknown'} here={props.here} />
          </span>
        ) : (
          <span class="section-off">off</span>
        )}
      </h3>
      {s.on && s.settings.length > 0 && (
        <dl class="settings">
          {s.settings.map((setting) => (
            <div key={setting.field}>
              <dt>{setting.field}</dt>
              <dd>
                <code>{JSON.stringify(setting.value)}</code> <Source source={setting.source} here={props.here} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {s.on &&
        s.lists.map((list) => (
          <div key={list.field} class="effective-list">
            <p class="list-title">
              {list.field} <span class="muted">({list.entries.length})</span>
            </p>
            {list.entries.length === 0 ? (
              <p class="muted">none</p>
            ) : (
              <ul class="chips">
                {list.entries.slice(0, SHOWN_ENTRIES).map((e) => (
                  <li key={e.entry}>
                    <span class="chip-text">{e.entry}</span> <Source source={e.source} here={props.here} />
                  </li>
                ))}
                {list.entries.length > SHOWN_ENTRIES && <li class="muted">and {(list.entries.length - SHOWN_ENTRIES).toLocaleString('en-GB')} more</li>}
              </ul>
            )}
          </div>
        ))}
    </section>
  );
}
