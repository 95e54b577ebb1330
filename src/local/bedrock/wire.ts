/**
 * Bedrock runtime's wire for ApplyGuardrail (restJson1): `POST
 * /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply`, errors as
 * `x-amzn-errortype: <Name>` with a `{"message"}` body and the status the model gives them.
 *
 * From botocore's `bedrock-runtime/2023-09-30/service-2.json`:
 *   GuardrailIdentifier   max 2048, pattern (|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))
 *   GuardrailVersion      pattern (|([1-9][0-9]{0,7})|(DRAFT))
 *   source                required, INPUT | OUTPUT
 *   content               required list of GuardrailContentBlock (a union: text | image), no
 *                         length constraint; GuardrailTextBlock: required text, qualifiers from
 *                         grounding_source | query | guard_content
 *   outputScope           INTERVENTIONS | FULL
 *   errors                AccessDenied 403, ResourceNotFound 404, Throttling 429,
 *                         InternalServer 500, ServiceUnavailable 503, Validation 400,
 *                         ServiceQuotaExceeded 400
 * Image blocks are valid input but not emulated: they are answered ValidationException.
 */
import { isObject } from '../emulator-controls.js';

export type BedrockErrorName =
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ThrottlingException'
  | 'InternalServerException'
  | 'ServiceUnavailableException'
  | 'ValidationException'
  | 'ServiceQuotaExceededException'
  | 'UnknownOperationException'
  | 'SerializationException';

const STATUS: Record<BedrockErrorName, number> = {
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  UnknownOperationException: 404,
  SerializationException: 400,
};

export class BedrockError extends Error {
  readonly status: number;
  constructor(
    readonly type: BedrockErrorName,
    message: string,
  ) {
    super(message);
    this.status = STATUS[type];
  }
}

const validation = (m: string) => new BedrockError('ValidationException', `1 validation error detected: ${m}`);

export const GUARDRAIL_IDENTIFIER = /^(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+))$/;
export const GUARDRAIL_VERSION = /^(|([1-9][0-9]{0,7})|(DRAFT))$/;
export const GUARDRAIL_ID = /^[a-z0-9]+$/;
const QUALIFIERS = ['grounding_source', 'query', 'guard_content'] as const;
export type Qualifier = (typeof QUALIFIERS)[number];

export interface TextBlock {
  text: string;
  qualifiers: Qualifier[];
}

export interface ApplyGuardrailRequest {
  /** The bare id (an ARN's last part). */
  guardrailId: string;
  guardrailIdentifier: string;
  guardrailVersion: string;
  source: 'INPUT' | 'OUTPUT';
  content: TextBlock[];
  outputScope: 'INTERVENTIONS' | 'FULL';
}

const APPLY_PATH = /^\/guardrail\/([^/]*)\/version\/([^/]*)\/apply$/;

/** The path labels, or undefined when the path is not ApplyGuardrail's. */
export function matchApplyPath(pathname: string): { identifier: string; version: string } | undefined {
  const m = APPLY_PATH.exec(pathname);
  if (!m) return undefined;
  try {
    return { identifier: decodeURIComponent(m[1]!), version: decodeURIComponent(m[2]!) };
  } catch {
    throw new BedrockError('ValidationException', 'Malformed percent-encoding in the path');
  }
}

export function parseApplyGuardrail(labels: { identifier: string; version: string }, body: unknown): ApplyGuardrailRequest {
  const { identifier, version } = labels;
  if (identifier.length > 2048) throw validation("Value at 'guardrailIdentifier' failed to satisfy constraint: Member must have length less than or equal to 2048");
  if (!GUARDRAIL_IDENTIFIER.test(identifier) || identifier === '') {
    throw validation(`Value '${identifier}' at 'guardrailIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))`);
  }
  if (!GUARDRAIL_VERSION.test(version) || version === '') {
    throw validation(`Value '${version}' at 'guardrailVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (([1-9][0-9]{0,7})|(DRAFT))`);
  }
  if (!isObject(body)) throw new BedrockError('SerializationException', 'The request body must be a JSON object');
  const { source, content, outputScope } = body;
  if (source === undefined || source === null) throw validation("Value null at 'source' failed to satisfy constraint: Member must not be null");
  if (source !== 'INPUT' && source !== 'OUTPUT') throw validation(`Value '${String(source)}' at 'source' failed to satisfy constraint: Member must satisfy enum value set: [INPUT, OUTPUT]`);
  if (outputScope !== undefined && outputScope !== null && outputScope !== 'INTERVENTIONS' && outputScope !== 'FULL') {
    throw validation(`Value '${String(outputScope)}' at 'outputScope' failed to satisfy constraint: Member must satisfy enum value set: [INTERVENTIONS, FULL]`);
  }
  if (content === undefined || content === null) throw validation("Value null at 'content' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(content)) throw new BedrockError('SerializationException', 'content must be a list');
  const blocks = content.map((block, i): TextBlock => {
    const at = `content.${i + 1}.member`;
    if (!isObject(block)) throw new BedrockError('SerializationException', `content[${i}] must be a structure`);
    const members = Object.keys(block).filter((k) => block[k] !== undefined && block[k] !== null);
    if (members.length !== 1) throw validation(`Value at '${at}' failed to satisfy constraint: Member must have exactly one of text, image set`);
    if (members[0] === 'image') throw new BedrockError('ValidationException', `Image content (at '${at}') is not emulated; the emulator guards text blocks only`);
    const text = block.text;
    if (members[0] !== 'text' || !isObject(text)) throw new BedrockError('SerializationException', `Unknown member ${members[0]} at '${at}'`);
    if (typeof text.text !== 'string') throw validation(`Value null at '${at}.text.text' failed to satisfy constraint: Member must not be null`);
    const qualifiers = text.qualifiers ?? [];
    if (!Array.isArray(qualifiers)) throw new BedrockError('SerializationException', `'${at}.text.qualifiers' must be a list`);
    for (const q of qualifiers) {
      if (!(QUALIFIERS as readonly unknown[]).includes(q)) {
        throw validation(`Value '${String(q)}' at '${at}.text.qualifiers' failed to satisfy constraint: Member must satisfy enum value set: [${QUALIFIERS.join(', ')}]`);
      }
    }
    return { text: text.text, qualifiers: qualifiers as Qualifier[] };
  });
  return {
    guardrailId: identifier.startsWith('arn:') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier,
    guardrailIdentifier: identifier,
    guardrailVersion: version,
    source,
    content: blocks,
    outputScope: outputScope === 'FULL' ? 'FULL' : 'INTERVENTIONS',
  };
}
