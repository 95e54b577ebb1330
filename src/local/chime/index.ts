/**
 * An in-process emulator of the Amazon Chime SDK Messaging REST API: channels, memberships,
 * bans, messages (send, edit, read, redact, delete), channel flows as resources and the
 * processors' ChannelFlowCallback. The stock `@aws-sdk/client-chime-sdk-messaging` works
 * against it unchanged:
 *
 *   new ChimeSDKMessagingClient({ endpoint: sim.endpoint, region: 'us-east-1',
 *     credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
 *
 * Files: routes.ts (REST bindings), wire.ts (wire errors, model limits), store.ts (state and
 * access rules), processing.ts (running messages through flows), ops-*.ts (the operations),
 * server.ts (HTTP, faults and the `/_simulator/*` endpoints), lambda-invoker.ts (processors on
 * the local Lambda runtime).
 *
 * Plain JSON endpoints for humans and tests (no signing, no bearer):
 *   GET  /_simulator/callbacks            every ChannelFlowCallback request received, with its outcome
 *   GET  /_simulator/messages             every message with its status and pending CallbackIds
 *   GET  /_simulator/invocations          every processor invocation Lambda accepted, duplicates included
 *   GET  /_simulator/channels             channels with their flow, members, moderators and bans
 *   GET  /_simulator/flows                channel flows with the channels they serve
 *   GET  /_simulator/faults               the current faults
 *   POST /_simulator/faults               merge a JSON body into the faults, answer the result
 *   GET  /_simulator/app-instance-admins  the bearers that act as AppInstanceAdmins
 *   POST /_simulator/app-instance-admins  {"arn": "..."} adds one
 */
export * from './types.js';
export { startChimeSimulator } from './server.js';
export { functionNameOf, localLambdaInvoker } from './lambda-invoker.js';
