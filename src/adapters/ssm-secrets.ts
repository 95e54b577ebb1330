import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SecretReader } from './classifier-providers.js';

/**
 * Secrets from SSM Parameter Store (SecureString, decrypted), and Secrets Manager secrets through
 * Parameter Store's `/aws/reference/secretsmanager/<name>` path: one client, one permission model
 * (ssm:GetParameter on the parameter; for a reference, secretsmanager:GetSecretValue too).
 */
export class SsmSecretReader implements SecretReader {
  constructor(private readonly ssm: SSMClient) {}

  async read(name: string): Promise<string> {
    const parameter = name.startsWith('arn:aws') && name.includes(':secretsmanager:') ? `/aws/reference/secretsmanager/${name.slice(name.indexOf(':secret:') + ':secret:'.length)}` : name;
    const out = await this.ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
    const value = out.Parameter?.Value;
    if (!value) throw new Error(`Parameter ${parameter} has no value`);
    return value;
  }
}
