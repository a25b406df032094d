import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { ApiError, errorBody } from '../errors.ts';

const body = (message: string) => errorBody(new ApiError(401, 'unauthorized', message)).body;

/**
 * Requires `Authorization: Bearer <key>` with one of `keys` (hono's bearerAuth compares in constant time).
 * Answers 401 in the API's error shape, with a WWW-Authenticate challenge.
 */
export function apiKeyAuth(keys: string[]): MiddlewareHandler {
  return bearerAuth({
    token: keys,
    noAuthenticationHeader: { message: body('Send the API key as "Authorization: Bearer <key>"') },
    invalidAuthenticationHeader: { message: body('The Authorization header is malformed') },
    invalidToken: { message: body('The API key is not valid') },
  });
}
