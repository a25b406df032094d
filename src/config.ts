import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image/limits.ts';

/** Every limit the server enforces; each can be set from the environment (see limitsFromEnv). */
export interface Limits extends ImageLimits {
  /** Largest request body in bytes (all parts together). */
  maxBodyBytes: number;
  /** Most `image` parts in one request. */
  maxImagesPerRequest: number;
  /** Per-request deadline in milliseconds for /predict. */
  deadlineMs: number;
}

/** The Deno defaults: generous for ultrasound frames; wrangler.toml lowers them for the 128 MB Workers isolate. */
export const DEFAULT_LIMITS: Limits = {
  ...DEFAULT_IMAGE_LIMITS,
  maxBodyBytes: 20 * 1024 * 1024,
  maxImagesPerRequest: 16,
  deadlineMs: 10_000,
};

const ENV_NAMES: Record<keyof Limits, string> = {
  maxPixels: 'MAX_PIXELS',
  maxSide: 'MAX_SIDE',
  maxBodyBytes: 'MAX_BODY_BYTES',
  maxImagesPerRequest: 'MAX_IMAGES_PER_REQUEST',
  deadlineMs: 'DEADLINE_MS',
};

/** Reads limits from environment-style variables (MAX_PIXELS, MAX_BODY_BYTES, …), falling back to defaults. */
export function limitsFromEnv(env: Record<string, string | undefined>): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(ENV_NAMES) as (keyof Limits)[]) {
    const raw = env[ENV_NAMES[key]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${ENV_NAMES[key]} must be a positive number, got "${raw}"`);
    limits[key] = value;
  }
  return limits;
}

/** Access control; everything is off unless configured. */
export interface SecurityOptions {
  /** Accepted API keys for /predict (Authorization: Bearer …); empty = open. */
  apiKeys: string[];
  /** Origins allowed to call the API from a browser; empty = same origin only, ['*'] = any. */
  corsOrigins: string[];
  /** Requests a minute per client on /predict; 0 = no limit. */
  rateLimitPerMinute: number;
  /**
   * Header a trusted proxy in front sets to the client address, for the rate limit; empty = the connection's
   * peer address (on Workers: Cloudflare's own cf-connecting-ip). Never name a header clients can set themselves.
   */
  clientIpHeader: string;
  /** Name of a Workers Rate Limiting binding to count /predict requests with (global per location); empty = none. */
  rateLimitBinding: string;
}

const list = (raw: string | undefined) => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Reads API_KEY (comma-separated keys), CORS_ORIGINS (comma-separated or *), RATE_LIMIT_PER_MINUTE,
 * CLIENT_IP_HEADER and RATE_LIMIT_BINDING.
 */
export function securityFromEnv(env: Record<string, string | undefined>): SecurityOptions {
  const rate = Number(env.RATE_LIMIT_PER_MINUTE ?? 0);
  if (!Number.isFinite(rate) || rate < 0) throw new Error(`RATE_LIMIT_PER_MINUTE must be ≥ 0, got "${env.RATE_LIMIT_PER_MINUTE}"`);
  return {
    apiKeys: list(env.API_KEY),
    corsOrigins: list(env.CORS_ORIGINS),
    rateLimitPerMinute: rate,
    clientIpHeader: env.CLIENT_IP_HEADER?.trim().toLowerCase() ?? '',
    rateLimitBinding: env.RATE_LIMIT_BINDING?.trim() ?? '',
  };
}

/**
 * The address for `deno serve` from PORT (set by container platforms: Cloud Run, Fly, Heroku, Render), as
 * `tcp:0.0.0.0:<PORT>`. Undefined when DENO_SERVE_ADDRESS is set (it wins) or PORT is not (deno serve's own
 * --port, default 8000). A PORT that is not a port number stops the server at start-up.
 */
export function serveAddressFromEnv(env: Record<string, string | undefined>): string | undefined {
  const raw = env.PORT?.trim();
  if (env.DENO_SERVE_ADDRESS || !raw) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new Error(`PORT must be a port number (1–65535), got "${env.PORT}"`);
  return `tcp:0.0.0.0:${port}`;
}
