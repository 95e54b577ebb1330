/**
 * GET /console/config.json: what the moderator console needs at run time to sign a moderator
 * in. It holds no secret (the browser is a public OAuth client; PKCE stands in for a secret),
 * so the same bundle runs in every stage and locally. The console imports this type.
 */
export type ConsoleAuthConfig =
  | {
      /** `npm start` only: a sign-in form backed by the local issuer's token endpoint. */
      kind: 'local';
      tokenEndpoint: string;
    }
  | {
      /** Cognito's hosted UI or any OIDC provider: authorization code + PKCE (S256). */
      kind: 'oidc';
      issuer: string;
      clientId: string;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      scope: string;
      /** Which token the API's JWT authorizer expects (its audience check): `access` for Cognito. */
      tokenUse: 'access' | 'id';
      /** Where "Sign out" ends the provider's session, and the name of its return-address parameter. */
      logout?: { endpoint: string; returnParameter: 'logout_uri' | 'post_logout_redirect_uri' };
    };

export interface ConsoleConfigDocument {
  /** Where the review API is, relative to the console's origin ('' = the same origin, root path). */
  apiBaseUrl: string;
  /** The groups that grant access (for the 403 explanation). */
  groups: { moderator: string; admin: string };
  auth: ConsoleAuthConfig;
}
