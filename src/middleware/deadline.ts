import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors.ts';

/**
 * Bounds how long a request may wait on I/O (a slow or stalled upload) with a 408. Prediction itself is
 * synchronous CPU work that a timer cannot interrupt; the predictor checks the same deadline between images.
 */
export function ioDeadline(ms: number): MiddlewareHandler {
  return async (_c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError(408, 'timeout', `The request body did not arrive within ${ms} ms`)), ms);
    });
    try {
      await Promise.race([next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
