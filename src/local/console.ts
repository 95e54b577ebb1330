import { fileURLToPath } from 'node:url';

/** Where `npm run build:console` puts the moderator console, and the routes that serve it (as in serverless.yml). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/dist', import.meta.url));

export const CONSOLE_ROUTES = [
  { method: 'GET', path: '/console' },
  { method: 'GET', path: '/console/{proxy+}' },
] as const;
