/**
 * A minimal HTTP/1.1 keep-alive client for load runs: one TCP connection, the request's bytes encoded once and
 * written in one piece (TCP_NODELAY), the reply read until its Content-Length. Why not fetch(): with the form
 * encoded per request and the body streamed, fetch cost the load generator 0.7–1.1 ms of CPU per request
 * (bench/results/parallel.json, clientCpuMsPerRequest) on the same two cores as the server it measures; on a
 * 2-core machine that CPU comes straight out of the server's share and understates `--parallel`'s throughput.
 */

/** One keep-alive connection that sends the same encoded request (POST unless told) again and again. */
export class KeepAliveClient {
  #conn: Deno.TcpConn | undefined;
  readonly #request: Uint8Array;
  readonly #buffer = new Uint8Array(64 * 1024);
  readonly #hostname: string;
  readonly #port: number;

  /** `url` is the server's origin; the request is `POST path` (or `method path`) with this content type and body. */
  constructor(url: string, path: string, contentType: string, body: Uint8Array, method = 'POST') {
    const { hostname, port } = new URL(url);
    this.#hostname = hostname;
    this.#port = Number(port);
    const head = new TextEncoder().encode(
      `${method} ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    this.#request = new Uint8Array(head.length + body.length);
    this.#request.set(head);
    this.#request.set(body, head.length);
  }

  /**
   * Sends the request and reads the whole reply; resolves with its status. Reconnects if the server closed; a
   * reply not complete within `timeoutMs` closes the connection, which rejects the pending read.
   */
  async send(timeoutMs = 30_000): Promise<number> {
    if (!this.#conn) {
      this.#conn = await Deno.connect({ hostname: this.#hostname, port: this.#port });
      this.#conn.setNoDelay(true);
    }
    const timer = setTimeout(() => this.close(), timeoutMs);
    try {
      return await this.#exchange(this.#conn);
    } catch (error) {
      this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async #exchange(conn: Deno.TcpConn): Promise<number> {
    for (let i = 0; i < this.#request.length;) i += await conn.write(this.#request.subarray(i));
    // Headers arrive first; the body's length comes from Content-Length (Deno's answers to /predict carry it).
    let received = 0;
    for (;;) {
      const n = await conn.read(this.#buffer.subarray(received));
      if (n === null) throw new Error('connection closed before the reply');
      received += n;
      const end = headEnd(this.#buffer, received);
      if (end < 0) {
        if (received === this.#buffer.length) throw new Error('reply headers too long');
        continue;
      }
      const head = new TextDecoder().decode(this.#buffer.subarray(0, end));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      if (length === undefined) throw new Error('reply without Content-Length');
      // Body bytes that came with the headers, then the rest (read into the same buffer, not kept).
      let bodyRead = received - end - 4;
      for (const want = Number(length); bodyRead < want;) {
        const m = await conn.read(this.#buffer);
        if (m === null) throw new Error('connection closed inside the reply');
        bodyRead += m;
      }
      if (/\r\nconnection:\s*close/i.test(head)) this.close();
      return Number(head.slice(9, 12));
    }
  }

  /** Closes the connection (the next send opens another). */
  close(): void {
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.#conn = undefined;
  }
}

/** Where the header block's closing CRLF CRLF starts in the first `length` bytes, or −1. */
function headEnd(bytes: Uint8Array, length: number): number {
  for (let i = 0; i + 3 < length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}
