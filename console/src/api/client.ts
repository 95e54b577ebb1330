import createClient, { type Client } from 'openapi-fetch';
import type { ApiProblemBody } from '../lib/problems';
import type { components, paths } from './schema';

/**
 * The typed review API client: openapi-fetch over the types generated from the API's own OpenAPI
 * document (`npm run generate:api`). A schema change shows up here as a type error.
 */
type Schemas = components['schemas'];
export type ReviewSummary = Schemas['ReviewSummary'];
export type ReviewDetail = Schemas['ReviewDetail'];
export type ReviewPage = Schemas['ReviewPage'];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];
export type Stats = Schemas['Stats'];
export type Me = Schemas['Me'];
/** Who is looking: known from the token at once, before GET /me answers (claims are recorded under the token's `sub`). */
export type Viewer = Pick<Me, 'subject' | 'username'>;
export type BulkDecisionResult = Schemas['BulkDecisionResult'];
export type DecisionRequest = Schemas['DecisionRequest'];
export type FollowUpResult = Schemas['FollowUpResult'];
export type PolicySummary = Schemas['PolicySummary'];
export type PolicyDetail = Schemas['PolicyDetail'];
export type PolicyDocument = Schemas['PolicyDocument'];
export type PolicyVersion = Schemas['PolicyVersion'];
export type PolicyVersionDetail = Schemas['PolicyVersionDetail'];
export type PolicyTestResult = Schemas['PolicyTestResult'];
export type PolicyReplayResult = Schemas['PolicyReplayResult'];
export type EffectivePolicy = Schemas['EffectivePolicy'];
export type CaseSummary = Schemas['CaseSummary'];
export type CaseDetail = Schemas['CaseDetail'];
export type CaseDecisionRequest = Schemas['CaseDecisionRequest'];
export type CaseActionRequest = Schemas['CaseActionRequest'];
export type CaseActionResult = Schemas['CaseActionResult'];
export type Appeal = Schemas['Appeal'];
export type AppealDecisionRequest = Schemas['AppealDecisionRequest'];
export type SenderRecord = Schemas['SenderRecord'];
export type Restriction = Schemas['Restriction'];
export type RestrictionRequest = Schemas['RestrictionRequest'];
export type Strike = Schemas['Strike'];
export type SenderNote = Schemas['SenderNote'];
export type CannedReasons = Schemas['CannedReasons'];
export type ReviewsQuery = NonNullable<paths['/reviews']['get']['parameters']['query']>;
export type DecisionsQuery = NonNullable<paths['/decisions']['get']['parameters']['query']>;

export type Api = Client<paths>;

/** A refusal or failure, with the problem body the API sent (status 0: no answer at all). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ApiProblemBody,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export interface ApiOptions {
  baseUrl: string;
  token: () => string | undefined;
  /** A 401: the token expired or was refused; the app brings the sign-in back. */
  onUnauthorized: () => void;
}

export function createApi(options: ApiOptions): Api {
  const client = createClient<paths>({ baseUrl: options.baseUrl || location.origin });
  client.use({
    onRequest({ request }) {
      const token = options.token();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized();
      return response;
    },
  });
  return client;
}

/** The data of a call, or an ApiError carrying the problem. */
export async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (error) {
    throw new ApiError(0, { status: 0, title: 'No answer', detail: String(error) });
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = (typeof result.error === 'object' && result.error !== null ? result.error : { detail: String(result.error ?? '') }) as ApiProblemBody;
  throw new ApiError(result.response.status, { status: result.response.status, ...body });
}
