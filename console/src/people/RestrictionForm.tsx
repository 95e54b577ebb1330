import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, type Api, type Restriction, type RestrictionRequest } from '../api/client';
import { announce } from '../announcer';
import { useCannedReasons } from '../canned-reasons';
import { ReasonField } from '../components/ReasonForm';
import { FormActions, ProblemNotice } from '../components/States';
import { restrictionEffect, restrictionWhat, restrictionWhen } from '../lib/people';
import { arnTail, explainProblem, type Explanation } from '../lib/problems';
import { outcomeUnknown, RetryKeys } from '../lib/retry-key';
import { DurationField, ScopeField, TWO_PERSON_NOTE, type Scope } from './RestrictionFields';

/**
 * Impose a restriction on a sender (POST /senders/{memberArn}/restrictions): hold every message
 * of theirs for review, or ban them; for how long, where, and why (the policy's canned ban
 * reasons). A ban the two-person rule catches waits for a second moderator: the answer says so.
 */
export function RestrictionForm(props: { api: Api; memberArn: string; channels: string[]; initialChannel: string | undefined; onDone: (restriction: Restriction) => void }) {
  const { api, memberArn } = props;
  const [action, setAction] = useState<'HOLD' | 'BAN'>('HOLD');
  const [channel, setChannel] = useState(props.initialChannel ?? props.channels[0] ?? '');
  const [duration, setDuration] = useState('24h');
  const [scope, setScope] = useState<Scope>('channel');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Explanation>();
  const [done, setDone] = useState<string>();
  const keys = useRef(new RetryKeys());
  const canned = useCannedReasons(api, channel || undefined, 'ban');
  useEffect(() => {
    if (!channel && props.channels[0]) setChannel(props.initialChannel ?? props.channels[0]);
  }, [props.channels.join(' ')]);
  const trimmed = reason.trim();

  const submit = async () => {
    if (!trimmed || !channel || busy) return;
    const body: RestrictionRequest = { action, channelArn: channel, scope, reason: trimmed, ...(duration ? { for: duration } : {}) };
    setBusy(true);
    setProblem(undefined);
    setDone(undefined);
    try {
      const r = await call(api.POST('/senders/{memberArn}/restrictions', { params: { path: { memberArn }, header: { 'Idempotency-Key': keys.current.keyFor(body) } }, body }));
      keys.current.settled();
      const text =
        r.status === 'PENDING_APPROVAL'
          ? `${restrictionWhat(r)} waits for a second moderator’s approval (the two-person rule).`
          : `${restrictionWhat(r)}: in force ${restrictionWhen(r, { nowMs: Date.now() })}.`;
      setDone(text);
      setReason('');
      announce(text);
      props.onDone(r);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) return;
      if (!outcomeUnknown(error.status)) keys.current.settled();
      const explained = explainProblem(error.problem, { nowMs: Date.now() });
      setProblem(outcomeUnknown(error.status) ? { ...explained, message: `${explained.message} Confirm again to retry: it is not imposed twice.` } : explained);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card restriction-form" aria-labelledby="impose-title">
      <h2 id="impose-title">Impose a restriction</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset>
          <legend>What</legend>
          <label class="choice">
            <input type="radio" name="restriction-action" value="HOLD" checked={action === 'HOLD'} onChange={() => setAction('HOLD')} /> Hold for review: {restrictionEffect('HOLD').toLowerCase()}
          </label>
          <label class="choice">
            <input type="radio" name="restriction-action" value="BAN" checked={action === 'BAN'} onChange={() => setAction('BAN')} /> Ban: {restrictionEffect('BAN')}
          </label>
        </fieldset>
        <div class="form-row">
          <div>
            <label for="restriction-channel">Channel</label>
            {props.channels.length > 0 ? (
              <select id="restriction-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
                {props.channels.map((c) => (
                  <option key={c} value={c}>
                    #{arnTail(c)}
                  </option>
                ))}
              </select>
            ) : (
              <input id="restriction-channel" value={channel} placeholder="arn:aws:chime:…/channel/…" onInput={(e) => setChannel(e.currentTarget.value.trim())} />
            )}
          </div>
          <DurationField id="restriction-for" value={duration} onChange={setDuration} />
        </div>
        <ScopeField name="restriction-scope" value={scope} channelLabel={channel ? `#${arnTail(channel)}` : 'this channel'} onChange={setScope} />
        <ReasonField id="restriction-reason" label="Reason" value={reason} onInput={setReason} maxLength={1000} help="Kept with the restriction; the member may be told (policy decides)." suggestions={canned} />
        {action === 'BAN' && <p class="hint">{TWO_PERSON_NOTE}</p>}
        {problem && <ProblemNotice explained={problem} />}
        {done && (
          <p class="outcome outcome-ok" role="status">
            {done}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="danger" disabled={!trimmed || !channel || busy}>
            {busy ? 'Working…' : action === 'BAN' ? 'Confirm ban' : 'Confirm hold'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** An admin lifts a restriction early, after saying why (DELETE …/restrictions/{id}?reason=). */
export function LiftForm(props: { api: Api; restriction: Restriction; onDone: (r: Restriction) => void; onCancel: () => void }) {
  const { restriction: r } = props;
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Explanation>();
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const trimmed = reason.trim();
  return (
    <form
      class="confirm-form"
      aria-label="Lift the restriction"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!trimmed || busy) return;
        setBusy(true);
        try {
          const after = await call(props.api.DELETE('/senders/{memberArn}/restrictions/{restrictionId}', { params: { path: { memberArn: r.memberArn, restrictionId: r.id }, query: { reason: trimmed } } }));
          announce(`${restrictionWhat(after)}: lifted.`);
          props.onDone(after);
        } catch (error) {
          if (error instanceof ApiError && error.status !== 401) setProblem(explainProblem(error.problem, { nowMs: Date.now() }));
        } finally {
          setBusy(false);
        }
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          props.onCancel();
        }
      }}
    >
      <p class="consequence">
        Lift now: {r.status === 'PENDING_APPROVAL' ? 'the request is withdrawn and never applied.' : r.action === 'BAN' ? 'Chime’s bans are deleted and the member may post again.' : 'their messages are judged by the policy again.'}
      </p>
      <ReasonField id={`lift-${r.id}-reason`} label="Why it is lifted" value={reason} onInput={setReason} maxLength={1000} inputRef={input} />
      {problem && <ProblemNotice explained={problem} />}
      <FormActions confirm="Confirm lift" working="Lifting…" busy={busy} disabled={!trimmed} tone="danger" onCancel={props.onCancel} />
    </form>
  );
}
