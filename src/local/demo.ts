import {
  ChimeSDKMessagingClient,
  GetChannelMessageCommand,
  GetChannelMessageStatusCommand,
  SendChannelMessageCommand,
  UpdateChannelMessageCommand,
} from '@aws-sdk/client-chime-sdk-messaging';
import { localEndpoints } from './discovery.js';
import { startLocalStack, type LocalStack } from './stack.js';

/**
 * `npm run demo`: sends a handful of messages through the pipeline with the stock Chime client
 * and prints how each one ended. It uses the stack `npm start` runs if one is listening on
 * CHIME_PORT, and otherwise starts its own for the length of the demo.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // Lambda runs nodejs22.x; local Node 20 is fine

const APP_INSTANCE = 'arn:aws:chime:us-east-1:123456789012:app-instance/demo-app';
const CHANNEL = `${APP_INSTANCE}/channel/general`;
const SENDER = `${APP_INSTANCE}/user/alice`;

/** The simulator of the stack `npm start` runs (found through .local/stack.json or CHIME_PORT), if it answers. */
async function runningSimulator(endpoint: string): Promise<string | undefined> {
  try {
    const reply = await fetch(`${endpoint}/_simulator/faults`, { signal: AbortSignal.timeout(500) });
    return reply.ok ? endpoint : undefined;
  } catch {
    return undefined;
  }
}

const cases = [
  { name: 'clean', content: 'Standup moved to 10:30, same room.' },
  { name: 'PII', content: 'Call me on +1 (206) 555-0142 or write to dana@example.com' },
  { name: 'card number', content: 'my card is 4111 1111 1111 1111, can you book it?' },
  { name: 'blocklisted', content: 'Earn 10x with S.C.A.M.C.O.I.N, guaranteed returns!' },
  { name: 'unknown link', content: 'Slides are at https://slides.example.net/deck' },
  { name: 'review term', content: 'Please process my refund by wire transfer' },
] as const;

async function main() {
  let stack: LocalStack | undefined;
  const expected = localEndpoints();
  let endpoint = await runningSimulator(expected.chime);
  if (endpoint) {
    console.log(`Using the stack at ${endpoint} (npm start; found through ${expected.source === 'npm start' ? '.local/stack.json' : expected.source === 'environment' ? 'CHIME_PORT' : 'the default port'}).`);
  } else {
    console.log(
      `No stack answers at ${expected.chime}, so this demo starts a private stack of its own and stops it at the end.\n` +
        'Its messages will not show up in the console or the review API of another stack: start `npm start` first (any ports; the demo finds it).',
    );
    stack = await startLocalStack({ chimePort: 0, lambdaPort: 0, sweepIntervalSeconds: 0, logLevel: 'SILENT' });
    endpoint = stack.endpoints.chime;
  }
  const chime = new ChimeSDKMessagingClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } });

  const settle = async (messageId: string, timeoutMs = 3000) => {
    const started = Date.now();
    for (;;) {
      const status = (await chime.send(new GetChannelMessageStatusCommand({ ChannelArn: CHANNEL, MessageId: messageId, ChimeBearer: SENDER }))).Status?.Value ?? '?';
      if (status !== 'PENDING' || Date.now() - started > timeoutMs) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const delivered = async (messageId: string) => {
    try {
      return (await chime.send(new GetChannelMessageCommand({ ChannelArn: CHANNEL, MessageId: messageId, ChimeBearer: SENDER }))).ChannelMessage?.Content ?? '';
    } catch {
      return '—'; // denied messages are not stored by Chime
    }
  };
  const send = async (content: string) =>
    (await chime.send(new SendChannelMessageCommand({ ChannelArn: CHANNEL, ChimeBearer: SENDER, Content: content, Type: 'STANDARD', Persistence: 'PERSISTENT' }))).MessageId!;

  const rows: Array<{ case: string; sent: string; status: string; delivered: string }> = [];
  const ids = await Promise.all(cases.map((c) => send(c.content)));
  for (const [i, c] of cases.entries()) {
    const status = await settle(ids[i]!);
    rows.push({ case: c.name, sent: c.content, status: status === 'PENDING' ? 'PENDING (held for review)' : status, delivered: status === 'SENT' ? await delivered(ids[i]!) : '—' });
  }

  // An edit: a new CallbackId for the same message, run through the flow again.
  const editId = await send('Meeting notes are in the wiki.');
  await settle(editId);
  const editContent = 'Meeting notes are in the wiki; questions to eve@example.org';
  await chime.send(new UpdateChannelMessageCommand({ ChannelArn: CHANNEL, MessageId: editId, ChimeBearer: SENDER, Content: editContent }));
  const editStatus = await settle(editId);
  // The edited version replaces the delivered one once its own callback lands.
  const started = Date.now();
  let editDelivered = await delivered(editId);
  while (editDelivered === 'Meeting notes are in the wiki.' && Date.now() - started < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    editDelivered = await delivered(editId);
  }
  rows.push({ case: 'edit (PII added)', sent: editContent, status: editStatus, delivered: editDelivered });

  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const table = rows.map((r) => ({ case: r.case, sent: clip(r.sent, 52), 'chime status': r.status, delivered: clip(r.delivered, 52) }));
  const headers = Object.keys(table[0]!) as Array<keyof (typeof table)[number]>;
  const widths = headers.map((h) => Math.max(h.length, ...table.map((r) => r[h].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${line(headers)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of table) console.log(line(headers.map((h) => r[h])));
  console.log(`\nEvery callback Chime received: ${endpoint}/_simulator/callbacks${stack ? ' (this demo stack stops now)' : ''}`);

  chime.destroy();
  await stack?.stop();
}

await main();
