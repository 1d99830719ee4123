import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Witness } from './ledger';

const MAX_BODY = 16_384;

function reply(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The witness's HTTP interface: `POST /add-checkpoint` as c2sp.org/tlog-witness defines it;
 * `GET /checkpoint?origin=` the newest cosigned checkpoint of a log (a note); `GET
 * /checkpoints?origin=&after=` every cosigned checkpoint above a size, as JSON pages; `GET /key`
 * the witness's verifier key; `GET /healthz`. Also mountable on another server (a subgraph's).
 */
export function witnessHandler(
  witness: Witness,
  onError: (error: Error) => void = () => undefined,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://witness');
    const text = 'text/plain; charset=utf-8';
    if (req.method === 'POST' && url.pathname === '/add-checkpoint') {
      const body = await readBody(req);
      if (body === null) return reply(res, 413, text, 'request too large\n');
      const result = await witness.addCheckpoint(body);
      if (result.status === 200) return reply(res, 200, text, result.cosignature);
      if (result.status === 409) return reply(res, 409, 'text/x.tlog.size', `${result.size}\n`);
      return reply(res, result.status, text, `${result.message}\n`);
    }
    if (req.method !== 'GET') return reply(res, 405, text, 'method not allowed\n');
    const origin = url.searchParams.get('origin');
    switch (url.pathname) {
      case '/healthz':
        return reply(res, 200, 'application/json', '{"status":"ok"}');
      case '/key':
        return reply(res, 200, text, `${witness.verifierKey}\n`);
      case '/checkpoint': {
        if (!origin) return reply(res, 400, text, 'origin is required\n');
        const latest = await witness.latest(origin);
        return latest
          ? reply(res, 200, text, latest.note)
          : reply(res, 404, text, 'no checkpoint witnessed for this origin\n');
      }
      case '/checkpoints': {
        const after = url.searchParams.get('after') ?? '0';
        if (!origin || !/^(0|[1-9][0-9]{0,18})$/.test(after)) {
          return reply(res, 400, text, 'origin and a decimal after are required\n');
        }
        const list = await witness.list(origin, BigInt(after));
        return reply(
          res,
          200,
          'application/json',
          JSON.stringify({
            checkpoints: list.map((c) => ({ size: c.size.toString(), note: c.note })),
          }),
        );
      }
      default:
        return reply(res, 404, text, 'not found\n');
    }
  }
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error as Error);
      if (!res.headersSent) reply(res, 500, 'text/plain', 'the witness ledger is unavailable\n');
      else res.destroy();
    });
  };
}

/** A witness served over HTTP. */
export interface WitnessServer {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Serves `witness` on host:port (port 0 for any free one). */
export async function serveWitness(
  witness: Witness,
  options: { port?: number; host?: string; onError?: (error: Error) => void } = {},
): Promise<WitnessServer> {
  const server = http.createServer(witnessHandler(witness, options.onError));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
