// daemon-client.ts: the daemon scenario's client: API calls timed one by one over keep-alive connections to the daemon's socket, K of them in flight.
import { Agent, request } from 'node:http';

/*
 * Not src/daemon/client.ts (the CLI verbs' client, a connection per call): a client making
 * thousands of calls holds its connections open, as this one does, so that what is timed is
 * the daemon's answer and not a connect per call. Each call's time runs from just before the
 * request is written until its answer has been read whole.
 */

export interface Answer {
  status: number;
  text: string;
  ms: number;
}

export class TimedClient {
  private readonly agent: Agent;

  constructor(
    private readonly socket: string,
    inFlight: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  }

  call(method: string, path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = payload === undefined ? {} : { 'Content-Type': 'application/json' };
    return new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = request(
        { socketPath: this.socket, method, path, headers, agent: this.agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.once('error', reject);
          res.once('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text,
              ms: Number(process.hrtime.bigint() - start) / 1e6,
            }),
          );
        },
      );
      req.once('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
      req.end(payload);
    });
  }

  /** The call's answer, which must have `status`: anything else throws with the daemon's error. */
  async expect(status: number, method: string, path: string, body?: unknown): Promise<Answer> {
    const answer = await this.call(method, path, body);
    if (answer.status !== status)
      throw new Error(
        `${method} ${path}: the daemon answered ${answer.status}, not ${status}: ${answer.text.trim().slice(0, 300)}`,
      );
    return answer;
  }

  /** Closes the kept connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * `task(i)` for i in 0..n-1, `inFlight` at a time (a new one as soon as one ends): each one's
 * milliseconds, and the wall time from the first start to the last end. Stops at the first
 * failure, or when `signal` is aborted.
 */
export async function inFlightPool(
  n: number,
  inFlight: number,
  signal: AbortSignal,
  task: (i: number) => Promise<number>,
): Promise<{ times: number[]; wallMs: number }> {
  let next = 0;
  let failed = false;
  const times: number[] = [];
  const start = process.hrtime.bigint();
  const lane = async () => {
    while (next < n && !failed) {
      if (signal.aborted) throw new Error('interrupted');
      const i = next++;
      times.push(await task(i));
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(n, inFlight) }, () =>
      lane().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  return { times, wallMs: Number(process.hrtime.bigint() - start) / 1e6 };
}
