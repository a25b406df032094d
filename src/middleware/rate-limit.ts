import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';

/** A token bucket per client: `perMinute` requests a minute on average, bursts up to `burst`. */
export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  /** Forget idle clients after this many buckets, oldest first (bounds memory under many clients). */
  maxClients?: number;
  /** Count per API key (only when keys are verified before this middleware), else per client address. */
  byApiKey?: boolean;
  /**
   * A header that a trusted proxy in front sets to the client address. Without one, the peer address is used:
   * a header the client itself sends could name a new "client" on every request and so escape the limit.
   */
  clientIpHeader?: string;
}

/** Who a request counts against: its (verified) API key, else the client address from a trusted source. */
export function clientKey(c: Context, byApiKey = false, clientIpHeader?: string): string {
  const auth = c.req.header('authorization');
  if (byApiKey && auth) return `key:${auth}`;
  if (clientIpHeader) {
    // Proxies append to lists like X-Forwarded-For and a client can send a first entry of its own choosing,
    // so only the last entry, written by the trusted proxy itself, counts.
    const forwarded = c.req.header(clientIpHeader)?.split(',').pop()?.trim();
    if (forwarded) return `ip:${forwarded}`;
  }
  // On Cloudflare the runtime attaches `request.cf` (no client can) and its edge sets cf-connecting-ip.
  const cloudflare = (c.req.raw as Request & { cf?: unknown }).cf !== undefined;
  const edge = cloudflare ? c.req.header('cf-connecting-ip') : undefined;
  if (edge) return `ip:${edge}`;
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined; // Deno serve's ServeHandlerInfo
  return `ip:${env?.remoteAddr?.hostname ?? 'unknown'}`;
}

/**
 * In-memory per-isolate rate limit (Deno; on Workers it limits per isolate: use Cloudflare's rate-limiting
 * rules or binding for a global limit). Answers 429 with Retry-After.
 */
export function rateLimit(
  options: RateLimitOptions,
  now: () => number = () => Date.now(),
): MiddlewareHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = options.perMinute / 60_000;
  const maxClients = options.maxClients ?? 10_000;
  return async (c, next) => {
    const key = clientKey(c, options.byApiKey, options.clientIpHeader);
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: options.burst, at: t };
    bucket.tokens = Math.min(options.burst, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    buckets.delete(key); // re-insert: Map order is then least recently seen first
    buckets.set(key, bucket);
    if (buckets.size > maxClients) buckets.delete(buckets.keys().next().value!);
    if (bucket.tokens < 1) {
      const retry = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      c.header('Retry-After', String(retry));
      throw new ApiError(429, 'rate_limited', `Too many requests; retry in ${retry} s`);
    }
    bucket.tokens -= 1;
    await next();
  };
}
