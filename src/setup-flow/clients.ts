import { ChimeSDKMessagingClient } from '@aws-sdk/client-chime-sdk-messaging';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { SetupFlowArgs } from './args.js';
import type { SetupFlowClients } from './setup.js';

/**
 * The clients setup-flow needs, built once. Against AWS: the default credential chain and
 * region. Against `npm start` (--endpoint): the local endpoints, and dummy credentials unless
 * real ones are in the environment (the local servers do not check signatures).
 */
export function createSetupFlowClients(args: SetupFlowArgs, env: NodeJS.ProcessEnv = process.env): SetupFlowClients & { destroy(): void } {
  const region = args.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (args.endpoint ? 'us-east-1' : undefined);
  const local = args.endpoint !== undefined;
  const credentials = local && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  const common = { ...(region ? { region } : {}), ...(credentials ? { credentials } : {}) };
  const chime = new ChimeSDKMessagingClient({ ...common, ...(args.endpoint ? { endpoint: args.endpoint } : {}) });
  const lambda = new LambdaClient({ ...common, ...(args.lambdaEndpoint ? { endpoint: args.lambdaEndpoint } : {}) });
  const cloudformation = new CloudFormationClient(common);
  return {
    chime,
    lambda,
    async stackOutputs(stackName) {
      try {
        const out = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = out.Stacks?.[0];
        if (!stack) return undefined;
        return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]));
      } catch (error) {
        // CloudFormation answers a missing stack with a ValidationError "Stack with id X does not exist".
        if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    destroy() {
      chime.destroy();
      lambda.destroy();
      cloudformation.destroy();
    },
  };
}
