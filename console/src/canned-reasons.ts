import { useEffect, useState } from 'preact/hooks';
import { call, type Api, type CannedReasons } from './api/client';

/**
 * The canned reasons of a channel's effective policy (GET /canned-reasons?channelArn=), for the
 * reason pickers of every form: deny, ban, a case's decision, an appeal's. One request per
 * channel a minute, shared by every form on the page. A refusal or no answer leaves the picker
 * out: the reason field works as ever.
 */
const FRESH_MS = 60_000;
const cache = new Map<string, { at: number; reasons: Promise<CannedReasons | undefined> }>();

export function cannedReasonsFor(api: Api, channelArn: string): Promise<CannedReasons | undefined> {
  const hit = cache.get(channelArn);
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.reasons;
  const reasons = call(api.GET('/canned-reasons', { params: { query: { channelArn } } })).catch(() => undefined);
  cache.set(channelArn, { at: Date.now(), reasons });
  return reasons;
}

export type CannedForm = 'deny' | 'ban' | 'case' | 'appeal';

/** The canned reasons for one form in one channel; undefined while loading, or without a channel. */
export function useCannedReasons(api: Api, channelArn: string | undefined, form: CannedForm): readonly string[] | undefined {
  const [reasons, setReasons] = useState<readonly string[]>();
  useEffect(() => {
    setReasons(undefined);
    if (!channelArn) return;
    let live = true;
    void cannedReasonsFor(api, channelArn).then((all) => {
      if (live) setReasons(all?.[form]);
    });
    return () => {
      live = false;
    };
  }, [channelArn, form]);
  return reasons;
}
