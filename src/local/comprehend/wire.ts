/**
 * Comprehend's wire (JSON 1.1: `POST /`, `X-Amz-Target: Comprehend_20171127.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`) and DetectToxicContent's input rules.
 *
 * From botocore's `comprehend/2017-11-27/service-2.json`:
 *   DetectToxicContentRequest  required TextSegments (ListOfTextSegments, min 1) and LanguageCode
 *                              (enum en es fr de it pt ar hi ja ko zh zh-TW; "Currently, English is
 *                              the only supported language")
 *   TextSegment                required Text (CustomerInputString, min 1); "up to 10 text strings.
 *                              Each string has a maximum size of 1 KB, and the maximum size of the
 *                              list is 10 KB" (documentation, not a model constraint: the service
 *                              answers it with TextSizeLimitExceededException)
 *   errors                     InvalidRequestException, TextSizeLimitExceededException,
 *                              UnsupportedLanguageException, InternalServerException (500)
 *
 * Shape violations (a missing member, a value outside the enum, an empty list or string) are
 * answered the way every AWS JSON service answers them: 400 `ValidationException` with
 * "1 validation error detected: Value … at '…' failed to satisfy constraint: …".
 *
 * Throttling: the model does not list a throttling error for DetectToxicContent;
 * TooManyRequestsException is Comprehend's modelled one (on 56 other operations) and is what the
 * emulator answers by default (`throttleError`); AWS's front door may also answer the generic
 * `ThrottlingException`. The adapter treats both as THROTTLED.
 */
import { isObject } from '../emulator-controls.js';

export const TARGET_PREFIX = 'Comprehend_20171127.';
export const JSON_11 = 'application/x-amz-json-1.1';

export const LANGUAGE_CODES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'ar', 'hi', 'ja', 'ko', 'zh', 'zh-TW'] as const;
export const SUPPORTED_LANGUAGES = new Set(['en']);

export const LIMITS = { segments: { min: 1, max: 10 }, segmentBytes: 1024, totalBytes: 10 * 1024 } as const;

export type ComprehendErrorName =
  | 'ValidationException'
  | 'InvalidRequestException'
  | 'TextSizeLimitExceededException'
  | 'UnsupportedLanguageException'
  | 'InternalServerException'
  | 'ServiceUnavailableException'
  | 'TooManyRequestsException'
  | 'ThrottlingException'
  | 'UnknownOperationException'
  | 'SerializationException';

const STATUS: Record<ComprehendErrorName, number> = {
  ValidationException: 400,
  InvalidRequestException: 400,
  TextSizeLimitExceededException: 400,
  UnsupportedLanguageException: 400,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
  TooManyRequestsException: 400,
  ThrottlingException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
};

export class ComprehendError extends Error {
  readonly status: number;
  constructor(
    readonly type: ComprehendErrorName,
    message: string,
  ) {
    super(message);
    this.status = STATUS[type];
  }
}

const validation = (m: string) => new ComprehendError('ValidationException', `1 validation error detected: ${m}`);

export interface ToxicRequest {
  segments: string[];
  languageCode: string;
}

/** Checks the body against the model, in the order AWS does: shape first, then the service's own limits. */
export function parseDetectToxicContent(body: unknown): ToxicRequest {
  if (!isObject(body)) throw new ComprehendError('SerializationException', 'Start of structure or map found where not expected');
  const { TextSegments: segments, LanguageCode: language } = body;
  if (segments === undefined || segments === null) throw validation("Value null at 'textSegments' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(segments)) throw new ComprehendError('SerializationException', 'TextSegments must be a list');
  if (segments.length < LIMITS.segments.min) throw validation("Value '[]' at 'textSegments' failed to satisfy constraint: Member must have length greater than or equal to 1");
  const texts = segments.map((s, i) => {
    if (!isObject(s)) throw new ComprehendError('SerializationException', `TextSegments[${i}] must be a structure`);
    if (s.Text === undefined || s.Text === null) throw validation(`Value null at 'textSegments.${i + 1}.member.text' failed to satisfy constraint: Member must not be null`);
    if (typeof s.Text !== 'string') throw new ComprehendError('SerializationException', `TextSegments[${i}].Text must be a string`);
    if (s.Text.length < 1) throw validation(`Value at 'textSegments.${i + 1}.member.text' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    return s.Text;
  });
  if (language === undefined || language === null) throw validation("Value null at 'languageCode' failed to satisfy constraint: Member must not be null");
  if (typeof language !== 'string' || !(LANGUAGE_CODES as readonly string[]).includes(language)) {
    throw validation(`Value '${String(language)}' at 'languageCode' failed to satisfy constraint: Member must satisfy enum value set: [${LANGUAGE_CODES.join(', ')}]`);
  }
  if (texts.length > LIMITS.segments.max) {
    throw new ComprehendError('TextSizeLimitExceededException', `Input text size exceeds limit. The list may hold at most ${LIMITS.segments.max} text segments; this request has ${texts.length}.`);
  }
  let total = 0;
  texts.forEach((t, i) => {
    const bytes = Buffer.byteLength(t, 'utf8');
    total += bytes;
    if (bytes > LIMITS.segmentBytes) {
      throw new ComprehendError('TextSizeLimitExceededException', `Input text size exceeds limit. Max length of a text segment is ${LIMITS.segmentBytes} bytes; segment ${i + 1} is ${bytes} bytes.`);
    }
  });
  if (total > LIMITS.totalBytes) {
    throw new ComprehendError('TextSizeLimitExceededException', `Input text size exceeds limit. Max size of the list is ${LIMITS.totalBytes} bytes; this request is ${total} bytes.`);
  }
  if (!SUPPORTED_LANGUAGES.has(language)) {
    throw new ComprehendError('UnsupportedLanguageException', `DetectToxicContent does not support the language code ${language}. Currently, English (en) is the only supported language.`);
  }
  return { segments: texts, languageCode: language };
}
