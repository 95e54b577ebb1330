import type { ReviewsQuery } from '../api/client';

export interface QueueFilters {
  channel: string;
  sender: string;
  rule: string;
  claimed: 'any' | 'mine' | 'none';
}

export const filtersFrom = (search: string): QueueFilters => {
  const p = new URLSearchParams(search);
  const claimed = p.get('claimed');
  return { channel: p.get('channel') ?? '', sender: p.get('sender') ?? '', rule: p.get('rule') ?? '', claimed: claimed === 'mine' || claimed === 'none' ? claimed : 'any' };
};

export const searchFrom = (f: QueueFilters): string => {
  const p = new URLSearchParams();
  if (f.channel) p.set('channel', f.channel);
  if (f.sender) p.set('sender', f.sender);
  if (f.rule) p.set('rule', f.rule);
  if (f.claimed !== 'any') p.set('claimed', f.claimed);
  const text = p.toString();
  return text ? `?${text}` : '';
};

export const queryFrom = (f: QueueFilters, limit: number): ReviewsQuery => ({
  limit,
  claimed: f.claimed,
  ...(f.channel ? { channelArn: f.channel } : {}),
  ...(f.sender ? { senderArn: f.sender } : {}),
  ...(f.rule ? { rule: f.rule } : {}),
});

export interface KnownValues {
  channels: Map<string, string>;
  senders: Map<string, string>;
  rules: Set<string>;
}

/** Filters of the queue. The choices are the channels, senders and rules seen so far. */
export function Filters(props: { filters: QueueFilters; known: KnownValues; onChange: (filters: QueueFilters) => void }) {
  const f = props.filters;
  const options = (entries: Array<[string, string]>, current: string) => {
    const list = entries.some(([value]) => value === current) || !current ? entries : [[current, current] as [string, string], ...entries];
    return list.sort((a, b) => a[1].localeCompare(b[1])).map(([value, label]) => (
      <option key={value} value={value}>
        {label}
      </option>
    ));
  };
  const active = f.channel || f.sender || f.rule || f.claimed !== 'any';
  return (
    <form class="filters" role="search" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
      <div>
        <label for="filter-channel">Channel</label>
        <select id="filter-channel" value={f.channel} onChange={(e) => props.onChange({ ...f, channel: e.currentTarget.value })}>
          <option value="">All channels</option>
          {options([...props.known.channels].map(([arn, name]) => [arn, `#${name}`]), f.channel)}
        </select>
      </div>
      <div>
        <label for="filter-sender">Sender</label>
        <select id="filter-sender" value={f.sender} onChange={(e) => props.onChange({ ...f, sender: e.currentTarget.value })}>
          <option value="">All senders</option>
          {options([...props.known.senders], f.sender)}
        </select>
      </div>
      <div>
        <label for="filter-rule">Rule</label>
        <select id="filter-rule" value={f.rule} onChange={(e) => props.onChange({ ...f, rule: e.currentTarget.value })}>
          <option value="">All rules</option>
          {options([...props.known.rules].map((r) => [r, r]), f.rule)}
        </select>
      </div>
      <div>
        <label for="filter-claimed">Claimed</label>
        <select id="filter-claimed" value={f.claimed} onChange={(e) => props.onChange({ ...f, claimed: e.currentTarget.value as QueueFilters['claimed'] })}>
          <option value="any">All</option>
          <option value="mine">Claimed by me</option>
          <option value="none">Unclaimed</option>
        </select>
      </div>
      {active && (
        <button type="button" class="link-button" onClick={() => props.onChange({ channel: '', sender: '', rule: '', claimed: 'any' })}>
          Clear filters
        </button>
      )}
    </form>
  );
}
