import { CASE_STATUSES, CATEGORY_LABELS, filtersActive, NO_CASE_FILTERS, type CaseFilters as Filters, type Category, type CaseOrder, type CaseStatus } from '../lib/cases';

const STATUS_LABELS: Record<CaseStatus, string> = { OPEN: 'Open', ACTIONED: 'Actioned (redacted or deleted)', DISMISSED: 'Dismissed' };

/** The Reports queue's filters and order (kept in the URL). Channels and senders: those seen so far. */
export function CaseFilters(props: { filters: Filters; channels: Map<string, string>; senders: Map<string, string>; onChange: (filters: Filters) => void }) {
  const f = props.filters;
  const set = (patch: Partial<Filters>) => props.onChange({ ...f, ...patch });
  const options = (known: Map<string, string>, current: string) => {
    const entries = [...known];
    if (current && !known.has(current)) entries.unshift([current, current]);
    return entries
      .sort((a, b) => a[1].localeCompare(b[1]))
      .map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ));
  };
  return (
    <form class="filters" role="search" aria-label="Filter the reports" onSubmit={(e) => e.preventDefault()}>
      <div>
        <label for="cases-status">Status</label>
        <select id="cases-status" value={f.status} onChange={(e) => set({ status: e.currentTarget.value as CaseStatus })}>
          {CASE_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="cases-category">Category</label>
        <select id="cases-category" value={f.category} onChange={(e) => set({ category: e.currentTarget.value as Category | '' })}>
          <option value="">All categories</option>
          {Object.entries(CATEGORY_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="cases-channel">Channel</label>
        <select id="cases-channel" value={f.channel} onChange={(e) => set({ channel: e.currentTarget.value })}>
          <option value="">All channels</option>
          {options(props.channels, f.channel)}
        </select>
      </div>
      <div>
        <label for="cases-sender">Sender</label>
        <select id="cases-sender" value={f.sender} onChange={(e) => set({ sender: e.currentTarget.value })}>
          <option value="">All senders</option>
          {options(props.senders, f.sender)}
        </select>
      </div>
      <div>
        <label for="cases-order">Order</label>
        <select id="cases-order" value={f.order} onChange={(e) => set({ order: e.currentTarget.value as CaseOrder })}>
          <option value="deadline">SLA, soonest first</option>
          <option value="priority">Priority, highest first</option>
        </select>
      </div>
      {filtersActive(f) && (
        <button type="button" class="link-button" onClick={() => props.onChange({ ...NO_CASE_FILTERS, order: f.order })}>
          Clear filters
        </button>
      )}
    </form>
  );
}
