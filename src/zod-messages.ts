/**
 * zod's English messages, for the schemas written with `zod/mini`.
 *
 * The hot paths of the Lambda functions (intake's event, the worker's queue message) use
 * `zod/mini`: the same validation core as the classic `zod` API, without the chainable methods,
 * so a bundle that needs nothing else carries a fraction of zod. The classic API sets the English
 * messages ("Invalid input: expected string, received undefined") when it loads; `zod/mini` does
 * not, and would answer a bare "Invalid input". Every module that builds a `zod/mini` schema
 * imports this one for its effect, so the messages are the same whichever API built the schema
 * and whichever modules a bundle holds. (`import { en }`, not `z.locales.en`: the latter would
 * pull every locale into the bundle.)
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
