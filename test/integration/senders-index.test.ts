/**
 * The moderation table's bySender index (a sender's messages, newest first: GET
 * /senders/{memberArn}), on dynalite or DYNAMODB_ENDPOINT: every item written has its keys, the
 * index pages newest first without gap or repeat, and `npm run backfill` gives older items the
 * key they lack. Plus the emulator's ListChannelMembershipsForAppInstanceUser, which an
 * app-instance ban reads, through the stock client.
 */
import { ChimeSDKMessagingClient, CreateChannelMembershipCommand, ListChannelMembershipsForAppInstanceUserCommand } from '@aws-sdk/client-chime-sdk-messaging';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSenderMessages } from '../../src/adapters/dynamodb-senders.js';
import { ChimeMemberChannels } from '../../src/adapters/chime-member-channels.js';
import type { ModerationItem } from '../../src/domain/item.js';
import { backfill } from '../../src/infra/backfill.js';
import { startChimeSimulator, type ChimeSimulator } from '../../src/local/chime-simulator.js';
import { startBackends, TEST_KEYS, type Backends } from '../support/backends.js';
import { aMessage, APP_INSTANCE, callbackId, channelArn, userArn } from '../support/factories.js';

const iso = (ms: number) => new Date(ms).toISOString();
const NOW = Date.parse('2031-05-05T10:00:00.000Z');

function anItem(sender: string, receivedMs: number): ModerationItem {
  return {
    callbackId: callbackId(),
    message: aMessage({ sender: { arn: sender, name: sender.split('/').pop()! } }),
    receivedAt: iso(receivedMs),
    deadline: iso(receivedMs + 48 * 3_600_000),
    status: 'RECEIVED',
    version: 1,
    updatedAt: iso(receivedMs),
    history: [{ at: iso(receivedMs), actor: 'intake', to: 'RECEIVED', event: 'received' }],
  };
}

describe('the bySender index', () => {
  let backends: Backends;
  let messages: DynamoDbSenderMessages;

  beforeAll(async () => {
    backends = await startBackends();
    messages = new DynamoDbSenderMessages(backends.clients.documents, backends.resources.tableName);
  });
  afterAll(async () => {
    await backends?.stop();
  });

  it('lists a sender’s messages newest first, a page at a time, and nobody else’s', async () => {
    const mallory = userArn('mallory-index');
    const items = Array.from({ length: 7 }, (_, i) => anItem(mallory, NOW + i * 1000));
    for (const item of items) await backends.store.recordReceived(item);
    await backends.store.recordReceived(anItem(userArn('someone-else'), NOW + 500));

    const seen: string[] = [];
    let before: string | undefined;
    do {
      const page = await messages.page(mallory, { limit: 3, ...(before !== undefined ? { before } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.callbackId));
      before = page.next;
    } while (before !== undefined);
    expect(seen).toEqual([...items].reverse().map((i) => i.callbackId));
    // Whole items, read from the table (status, message …).
    const [first] = (await messages.page(mallory, { limit: 1 })).items;
    expect(first).toMatchObject({ callbackId: items[6]!.callbackId, status: 'RECEIVED', message: { sender: { arn: mallory } } });
  });

  it('is given to items written before it by the backfill, idempotently', async () => {
    const trudy = userArn('trudy-index');
    const old = anItem(trudy, NOW);
    // As the previous version wrote it: the other derived keys, no senderSort.
    await backends.clients.documents.send(new PutCommand({ TableName: backends.resources.tableName, Item: { ...old, senderArn: trudy, channelArn: old.message.channelArn } }));
    expect((await messages.page(trudy, { limit: 10 })).items).toEqual([]);

    const first = await backfill({ client: backends.clients.documents, table: backends.resources.tableName, keys: TEST_KEYS, segments: 2 });
    expect(first.written).toBeGreaterThanOrEqual(1);
    const stored = (await backends.clients.documents.send(new GetCommand({ TableName: backends.resources.tableName, Key: { callbackId: old.callbackId } }))).Item;
    expect(stored).toMatchObject({ senderArn: trudy, senderSort: `${old.receivedAt}#${old.callbackId}` });
    expect((await messages.page(trudy, { limit: 10 })).items.map((i) => i.callbackId)).toEqual([old.callbackId]);
    const second = await backfill({ client: backends.clients.documents, table: backends.resources.tableName, keys: TEST_KEYS, segments: 2 });
    expect(second.written).toBe(0);
  });
});

describe('the emulator’s ListChannelMembershipsForAppInstanceUser', () => {
  let simulator: ChimeSimulator;
  let chime: ChimeSDKMessagingClient;
  const admin = `${APP_INSTANCE}/user/admin`;
  const member = userArn('listed');

  beforeAll(async () => {
    simulator = await startChimeSimulator({ port: 0, strict: true, appInstanceAdmins: [admin], log: () => {} });
    chime = new ChimeSDKMessagingClient({ endpoint: simulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  });
  afterAll(async () => {
    chime?.destroy();
    await simulator?.close();
  });

  it('lists the channels a member is in, paged; only an admin may ask for someone else', async () => {
    const { CreateChannelCommand } = await import('@aws-sdk/client-chime-sdk-messaging');
    const created: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const reply = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP_INSTANCE, Name: name, ChimeBearer: admin, ClientRequestToken: `token-${name}` }));
      created.push(reply.ChannelArn!);
      await chime.send(new CreateChannelMembershipCommand({ ChannelArn: reply.ChannelArn!, MemberArn: member, ChimeBearer: admin, Type: 'DEFAULT' }));
    }
    const other = await chime.send(new CreateChannelCommand({ AppInstanceArn: APP_INSTANCE, Name: 'not-theirs', ChimeBearer: admin, ClientRequestToken: 'token-x' }));

    const page1 = await chime.send(new ListChannelMembershipsForAppInstanceUserCommand({ AppInstanceUserArn: member, ChimeBearer: admin, MaxResults: 2 }));
    expect(page1.ChannelMemberships!.map((m) => m.ChannelSummary!.ChannelArn)).toEqual(created.slice(0, 2));
    expect(page1.ChannelMemberships![0]).toMatchObject({ ChannelSummary: { Name: 'one' }, AppInstanceUserMembershipSummary: { Type: 'DEFAULT' } });
    const page2 = await chime.send(new ListChannelMembershipsForAppInstanceUserCommand({ AppInstanceUserArn: member, ChimeBearer: admin, MaxResults: 2, NextToken: page1.NextToken! }));
    expect(page2.ChannelMemberships!.map((m) => m.ChannelSummary!.ChannelArn)).toEqual([created[2]]);
    expect(page2.NextToken).toBeUndefined();
    expect(created).not.toContain(other.ChannelArn);

    // Their own: no AppInstanceUserArn needed. Someone else's: only an AppInstanceAdmin.
    const own = await chime.send(new ListChannelMembershipsForAppInstanceUserCommand({ ChimeBearer: member }));
    expect(own.ChannelMemberships).toHaveLength(3);
    await expect(chime.send(new ListChannelMembershipsForAppInstanceUserCommand({ AppInstanceUserArn: member, ChimeBearer: userArn('nosy') }))).rejects.toMatchObject({ name: 'ForbiddenException' });
    await expect(chime.send(new ListChannelMembershipsForAppInstanceUserCommand({ AppInstanceUserArn: 'not-an-arn', ChimeBearer: admin }))).rejects.toMatchObject({ name: 'BadRequestException' });

    // What an app-instance ban reads, bounded.
    const reader = new ChimeMemberChannels(chime, () => admin);
    expect(await reader.channelsOf(member, channelArn(), 10)).toEqual({ channelArns: created, complete: true });
    expect(await reader.channelsOf(member, channelArn(), 2)).toEqual({ channelArns: created.slice(0, 2), complete: false });
  });
});
