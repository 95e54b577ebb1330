/**
 * How long and where a ban or a hold applies: the durations a moderator picks most (the API takes
 * 1 minute to 365 days, or none: until lifted) and the scope, this channel or the AppInstance.
 */
export const DURATIONS: Array<[string, string]> = [
  ['15m', '15 minutes'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['', 'Until lifted'],
];

export type Scope = 'channel' | 'app-instance';

export function DurationField(props: { id: string; value: string; onChange: (value: string) => void }) {
  return (
    <div>
      <label for={props.id}>For</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {DURATIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ScopeField(props: { name: string; value: Scope; channelLabel: string; onChange: (value: Scope) => void }) {
  return (
    <fieldset class="scope-field">
      <legend>Where</legend>
      <label class="choice">
        <input type="radio" name={props.name} value="channel" checked={props.value === 'channel'} onChange={() => props.onChange('channel')} /> In {props.channelLabel} only
      </label>
      <label class="choice">
        <input type="radio" name={props.name} value="app-instance" checked={props.value === 'app-instance'} onChange={() => props.onChange('app-instance')} /> In every channel of the AppInstance
      </label>
    </fieldset>
  );
}

/** The two-person rule, said before a ban is asked for. */
export const TWO_PERSON_NOTE = 'A ban longer than the policy allows (1 day by default), one until lifted, or one across the AppInstance waits for a second moderator’s approval.';
