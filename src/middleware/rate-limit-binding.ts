import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';
import { clientKey } from './rate-limit.ts';

/** Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml): one counter per key per location. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Options for bindingRateLimit. */
export interface BindingRateLimitOptions {
  /** Name of the binding in the Worker's env. */
  binding: string;
  /** Count per (verified) API key instead of per client address. */
  byApiKey?: boolean;
  clientIpHeader?: string;
  /** Sent as Retry-After; the binding's period (10 or 60 s) is not visible to the Worker. */
  retryAfterSeconds?: number;
}

/** API keys leave the Worker only as a digest (FNV-1a, 32 bits: enough to tell keys apart, useless to a reader). */
function withoutSecrets(key: string): string {
  if (!key.startsWith('key:')) return key;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return `key:${(hash >>> 0).toString(16)}`;
}

function isBinding(value: unknown): value is RateLimitBinding {
  return typeof (value as RateLimitBinding | undefined)?.limit === 'function';
}

/**
 * Rate limit through the Workers binding, which counts across isolates (the in-memory limit counts per
 * isolate). Where the env has no such binding (Deno, or a missing wrangler entry) it warns once and lets
 * requests through, so the in-memory limit is the one that applies.
 */
export function bindingRateLimit(options: BindingRateLimitOptions): MiddlewareHandler {
  let warned = false;
  const retry = options.retryAfterSeconds ?? 60;
  return async (c, next) => {
    const binding = (c.env as Record<string, unknown> | undefined)?.[options.binding];
    if (!isBinding(binding)) {
      if (!warned) {
        console.warn(
          JSON.stringify({
            warning: `RATE_LIMIT_BINDING names "${options.binding}" but no such binding is bound`,
          }),
        );
      }
      warned = true;
      return next();
    }
    const { success } = await binding.limit({
      key: withoutSecrets(clientKey(c, options.byApiKey, options.clientIpHeader)),
    });
    if (!success) {
      c.header('Retry-After', String(retry));
      throw new ApiError(429, 'rate_limited', `Too many requests; retry in ${retry} s`);
    }
    await next();
  };
}
