import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { Limits } from './config.ts';
import type { Predictor } from './predictor.ts';

/** The Hono environment: per-request variables every route can read. */
export interface AppEnv {
  Variables: RequestIdVariables & TimingVariables & {
    limits: Limits;
    /** Undefined until the model is loaded and warmed up. */
    predictor: Predictor | undefined;
    /** Why the model failed to load, if it did. */
    loadFailure: string | undefined;
  };
}
