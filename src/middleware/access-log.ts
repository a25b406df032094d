import type { MiddlewareHandler } from 'hono';

/** One access-log line: what happened to a request, never what it carried. */
export interface AccessLogLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** Receives access-log lines. */
export type LogSink = (line: AccessLogLine) => void;

/** Logs request id, method, path, status and duration. Bodies, file names and pixels are never logged. */
export function accessLog(sink: LogSink): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    sink({
      requestId: c.get('requestId') ?? '',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };
}
