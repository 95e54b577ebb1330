import { COMMUNITY_SECTIONS, communitySources, formatDuration, type CommunitySetting, type CommunitySources, type Layer } from '../lib/effective-sources';
import { sourceLabel } from './scopes';

/**
 * The community settings in force at a scope (what senders are told, reports, notices, appeals,
 * strikes, escalation, approvals, canned reasons): the API's effective values, every default
 * filled in, each labelled with the scope that wrote it (lib/effective-sources.ts). Only the
 * enforced scopes' settings apply, so a shadow chain shows the same ones.
 */
const TITLES: Record<string, string> = {
  rules: 'What each rule tells the sender',
  reports: 'Reports',
  notices: 'Notices to members',
  appeals: 'Appeals',
  strikes: 'Strikes',
  escalation: 'Escalation',
  approvals: 'Two-person rule',
  cannedReasons: 'Canned reasons',
};

function show(setting: CommunitySetting): string {
  const { value } = setting;
  if (setting.duration && typeof value === 'number') return formatDuration(value);
  const last = setting.path.at(-1);
  if (last === 'autoHide') {
    const on = value as { reporters?: number; withinSeconds?: number } | false;
    return on ? `${on.reporters} reporters within ${formatDuration(on.withinSeconds ?? 0)}` : 'off';
  }
  if (last === 'rateLimits') return (value as Array<{ max: number; withinSeconds: number }>).map((l) => `${l.max} per ${formatDuration(l.withinSeconds)}`).join(', ');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

type Step = { strikes: number; withinSeconds: number; action: string; forSeconds: number; scope: string; notify: boolean };
const stepText = (s: Step) => `${s.strikes} strikes within ${formatDuration(s.withinSeconds)} → ${s.action}${s.action === 'BAN' ? ` (${s.scope})` : ''} for ${formatDuration(s.forSeconds)}${s.notify ? ', sender told' : ''}`;

function Source(props: { source: string; here: string }) {
  return <span class={`source source-${props.source === props.here ? 'here' : props.source === 'default' ? 'default' : 'inherited'}`}>{sourceLabel(props.source, props.here)}</span>;
}

export function CommunityView(props: { layers: Layer[]; community: Record<string, unknown>; here: string }) {
  const sources = communitySources(props.layers, props.community);
  return (
    <section class="effective-community" aria-labelledby="community-title">
      <h2 id="community-title">Community settings</h2>
      <p class="hint">What members are told, how reports and appeals are handled, and what happens to repeat offenders. Only enforced scopes count; a setting nobody wrote is the default.</p>
      <div class="sections">
        {COMMUNITY_SECTIONS.map((section) => (
          <CommunitySection key={section} name={section} sources={sources[section]} here={props.here} />
        ))}
      </div>
    </section>
  );
}

/** Settings a level deep (`terms.block · publicReason`) grouped by their key: one table row each. */
function groupsOf(settings: CommunitySetting[]): { single: CommunitySetting[]; groups: Array<{ prefix: string; key: string; rows: Array<{ name: string; cells: CommunitySetting[] }>; columns: string[] }> } {
  const single: CommunitySetting[] = [];
  const byPrefix = new Map<string, Map<string, CommunitySetting[]>>();
  for (const setting of settings) {
    if (setting.path.length < 2) {
      single.push(setting);
      continue;
    }
    const prefix = setting.path.slice(0, -2).join(' · ');
    const rows = byPrefix.get(prefix) ?? new Map<string, CommunitySetting[]>();
    const name = setting.path.at(-2)!;
    rows.set(name, [...(rows.get(name) ?? []), setting]);
    byPrefix.set(prefix, rows);
  }
  const groups = [...byPrefix].map(([prefix, rows]) => {
    const columns = [...new Set([...rows.values()].flatMap((cells) => cells.map((c) => c.path.at(-1)!)))];
    return { prefix, key: prefix || 'rows', rows: [...rows].map(([name, cells]) => ({ name, cells })), columns };
  });
  return { single, groups };
}

const ROW_TITLES: Record<string, string> = { rules: 'rule', notices: 'notice', categories: 'category' };

function Value(props: { setting: CommunitySetting | undefined; here: string }) {
  if (!props.setting) return null;
  return (
    <>
      <code>{show(props.setting)}</code> <Source source={props.setting.source} here={props.here} />
    </>
  );
}

function CommunitySection(props: { name: string; sources: CommunitySources; here: string }) {
  const { settings, lists } = props.sources;
  const ladder = props.name === 'escalation' ? settings[0] : undefined;
  const { single, groups } = groupsOf(ladder ? [] : settings);
  return (
    <section class={`effective-section${groups.length > 0 ? ' wide' : ''}`} aria-labelledby={`section-${props.name}`}>
      <h3 id={`section-${props.name}`}>
        {TITLES[props.name]} <code class="muted">{props.name}</code>
      </h3>
      {ladder ? (
        <div>
          {(ladder.value as Step[]).length === 0 ? (
            <p>
              off <Source source={ladder.source} here={props.here} />
            </p>
          ) : (
            <ol>
              {(ladder.value as Step[]).map((step, i) => (
                <li key={i}>{stepText(step)}</li>
              ))}
            </ol>
          )}
          {(ladder.value as Step[]).length > 0 && (
            <p class="muted small-print ladder-from">
              from <Source source={ladder.source} here={props.here} />
            </p>
          )}
        </div>
      ) : (
        <>
          {groups.map((group) => (
            <div key={group.key} class="table-scroll community-table">
              <table aria-label={`${props.name}${group.prefix ? ` · ${group.prefix}` : ''}`}>
                <thead>
                  <tr>
                    <th scope="col">{ROW_TITLES[group.prefix || props.name] ?? group.prefix}</th>
                    {group.columns.map((column) => (
                      <th key={column} scope="col">
                        {column}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {group.rows.map((row) => (
                    <tr key={row.name}>
                      <th scope="row">
                        <code>{row.name}</code>
                      </th>
                      {group.columns.map((column) => (
                        <td key={column}>
                          <Value setting={row.cells.find((c) => c.path.at(-1) === column)} here={props.here} />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
          {single.length > 0 && (
            <dl class="settings">
              {single.map((setting) => (
                <div key={setting.path.join('/')}>
                  <dt>{setting.path.join(' · ')}</dt>
                  <dd>
                    <Value setting={setting} here={props.here} />
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
      {lists.map((list) => (
        <div key={list.field} class="effective-list">
          <p class="list-title">
            {list.field} <span class="muted">({list.entries.length})</span>
          </p>
          {list.entries.length === 0 ? (
            <p class="muted">none</p>
          ) : (
            <ul class="chips">
              {list.entries.map((e) => (
                <li key={e.entry}>
                  <span class="chip-text">{e.entry}</span> <Source source={e.source} here={props.here} />
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
