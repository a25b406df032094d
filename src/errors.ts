/** The one error type of the API: every failure becomes `{ error: { code, message } }` with an HTTP status. */
export type ErrorCode =
  | 'bad_request'
  | 'missing_image'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'too_many_pixels'
  | 'too_many_images'
  | 'unsupported_media_type'
  | 'corrupt_image'
  | 'not_ultrasound'
  | 'invalid_roi'
  | 'unauthorized'
  | 'rate_limited'
  | 'timeout'
  | 'not_ready'
  | 'internal';

/** An error that the API reports to its caller as-is (never with a stack trace). */
export class ApiError extends Error {
  /** `details` go into the body beside `error` (e.g. the input gate's score with not_ultrasound). */
  constructor(readonly status: number, readonly code: ErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
  [detail: string]: unknown;
}

/** Builds the JSON body for an error; unknown errors are reported as a generic 500 without details. */
export function errorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ApiError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message }, ...err.details } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'Internal error' } } };
}
