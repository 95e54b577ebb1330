import { evaluateChimeInvokeGrant } from '../../infra/invoke-permission.js';
import type { LocalLambda } from '../lambda-runtime.js';
import { ProcessorInvokeError, type InvokeLambda } from './types.js';
import { accountOf, appInstanceOf } from './wire.js';

/** NAME in arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. */
export function functionNameOf(functionArn: string): string {
  return functionArn.split(':function:')[1]?.split(':')[0] ?? functionArn;
}

/**
 * Chime's asynchronous invoke of a processor, against the local Lambda runtime: the ResourceArn
 * names a local function by its NAME (region and account are not compared, so an ARN copied
 * from AWS works). With `checkResourcePolicy` (strict mode) the function's resource policy must
 * let messaging.chime.amazonaws.com invoke it for the channel's AppInstance, as in AWS.
 */
export function localLambdaInvoker(lambda: LocalLambda, options: { checkResourcePolicy: boolean }): InvokeLambda {
  return (functionArn, event) => {
    const name = functionNameOf(functionArn);
    if (!lambda.has(name)) throw new ProcessorInvokeError('ResourceNotFoundException', `Function not found: ${functionArn}`);
    if (options.checkResourcePolicy) {
      const appInstanceArn = appInstanceOf(event.ChannelMessage.ChannelArn);
      const verdict = evaluateChimeInvokeGrant(lambda.policy(name), { functionArn: lambda.arn(name), appInstanceArn, account: accountOf(appInstanceArn) });
      if (!verdict.allowed) throw new ProcessorInvokeError('AccessDeniedException', `Chime may not invoke ${name}: ${verdict.reason}`);
    }
    lambda.invokeAsync(name, event);
  };
}
