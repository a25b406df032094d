import { memory as tfMemory } from '@tensorflow/tfjs-core';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import { DEFAULT_LIMITS, type Limits, type SecurityOptions } from './config.ts';
import { ApiError, errorBody } from './errors.ts';
import { accessLog, type LogSink } from './middleware/access-log.ts';
import { apiKeyAuth } from './middleware/api-key.ts';
import { ioDeadline } from './middleware/deadline.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { bindingRateLimit } from './middleware/rate-limit-binding.ts';
import type { Predictor } from './predictor.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/model.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { pageRoutes } from './routes/page.ts';
import { predictRoutes } from './routes/predict.ts';
import { rootRoutes } from './routes/root.ts';
import type { AppEnv } from './types.ts';

/** What the app needs from its runtime entry (src/deno.ts, src/worker.ts) or from a test. */
export interface AppOptions {
  /** Resolves once the model is loaded and warmed up; until then /ready and /predict answer 503. */
  predictor: Promise<Predictor>;
  limits?: Partial<Limits>;
  /** Where access-log lines go (request id, method, path, status, duration; never image data). */
  log?: LogSink;
  /** API keys, CORS allow-list, rate limit (see securityFromEnv); all off by default. */
  security?: Partial<SecurityOptions>;
  /** Opt-in GET /debug/memory (tensor count, process memory) for load tests; off in production. */
  debugMemory?: () => Record<string, number>;
}

/** Builds the Hono app; it uses no runtime API, so Deno, Workers and tests all serve the same thing. */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const state = { predictor: undefined as Predictor | undefined, failure: undefined as string | undefined };
  options.predictor.then(
    (p) => (state.predictor = p),
    (err) => (state.failure = err instanceof Error ? err.message : String(err)),
  );

  const app = new Hono<AppEnv>();
  app.use(requestId());
  // The page loads only its own files; nothing may frame it or sniff types.
  app.use(secureHeaders({
    xFrameOptions: 'DENY', // agrees with frame-ancestors 'none'
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'blob:', 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    referrerPolicy: 'no-referrer',
  }));
  app.use(accessLog(options.log ?? ((line) => console.log(JSON.stringify(line)))));
  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      c.json(errorBody(new ApiError(405, 'method_not_allowed', `Use ${methods.join(', ')}`)).body, 405, {
        Allow: methods.join(', '),
      }),
  }));
  app.use(timing({ total: true, autoEnd: true, crossOrigin: false }));
  const security = options.security ?? {};
  if (security.corsOrigins?.length) {
    const origins = security.corsOrigins;
    app.use(cors({
      origin: origins.includes('*') ? '*' : origins,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['Server-Timing', 'Retry-After', 'X-Request-Id'],
    }));
  }
  // Keys are checked first, so a limit keyed by API key only ever counts valid keys.
  if (security.apiKeys?.length) app.use('/predict', apiKeyAuth(security.apiKeys));
  if (security.rateLimitBinding) {
    app.use('/predict', bindingRateLimit({
      binding: security.rateLimitBinding,
      byApiKey: Boolean(security.apiKeys?.length),
      clientIpHeader: security.clientIpHeader,
    }));
  }
  if (security.rateLimitPerMinute) {
    app.use('/predict', rateLimit({
      perMinute: security.rateLimitPerMinute,
      burst: Math.max(1, Math.ceil(security.rateLimitPerMinute / 6)),
      byApiKey: Boolean(security.apiKeys?.length),
      clientIpHeader: security.clientIpHeader,
    }));
  }
  app.use('/predict', ioDeadline(limits.deadlineMs));
  app.use('/predict', bodyLimit({
    maxSize: limits.maxBodyBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `Request body is larger than ${limits.maxBodyBytes} bytes`);
    },
  }));
  app.use(async (c, next) => {
    c.set('limits', limits);
    c.set('predictor', state.predictor);
    c.set('loadFailure', state.failure);
    await next();
  });

  app.route('/', pageRoutes());
  app.route('/', rootRoutes());
  app.route('/', healthRoutes());
  app.route('/', modelRoutes());
  app.route('/', predictRoutes());
  app.route('/', openApiRoutes());
  if (options.debugMemory) {
    const memory = options.debugMemory;
    app.get('/debug/memory', (c) => c.json({ ...memory(), tensors: tfMemory().numTensors, tensorBytes: tfMemory().numBytes }));
  }

  app.notFound((c) => c.json(errorBody(new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`)).body, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse(); // hono's own (401 from bearerAuth)
    const { status, body } = errorBody(err);
    // Only unexpected failures are logged, by message (never the request's data).
    if (!(err instanceof ApiError)) console.error(JSON.stringify({ requestId: c.get('requestId'), error: String(err) }));
    return c.json(body, status as 400);
  });
  return app;
}
