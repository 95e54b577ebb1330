/**
 * DynamoDB (dynalite) and SQS (local-aws-sqs) in a process of their own, for the fuzz suite.
 * In AWS they are remote services: what they spend on a request must not count as our code
 * blocking the event loop. Sends `{ dynamodb, sqs }` (the endpoints) to its parent once both
 * listen, and exits when the parent goes.
 */
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';

const host = '127.0.0.1';
const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise((resolve, reject) => {
  dynamo.once('error', reject);
  dynamo.listen(0, host, resolve);
});
const sqs = await createSqsServer({ port: 0, hostname: host, emulateQueueCreationLifecycle: false });
process.send({ dynamodb: `http://${host}:${dynamo.address().port}`, sqs: `http://${host}:${sqs.address().port}` });
process.on('disconnect', () => process.exit(0));
