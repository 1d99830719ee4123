import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of one source, for fault tests: passes bytes through, delays what the
 * source sends back, goes silent (connections stay open, nothing is forwarded), refuses new
 * connections, or resets every connection it holds.
 */
export class FaultProxy {
  private readonly server: net.Server;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  private mode: 'pass' | 'silent' | 'refuse' = 'pass';
  private delayMs = 0;
  private held: (() => void)[] = [];
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** A connection string or URL with the proxy in place of the source. */
  in(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get connections(): number {
    return this.pairs.size;
  }

  private accept(client: net.Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (chunk) => this.forward(() => upstream.write(chunk), 0));
    upstream.on('data', (chunk) => this.forward(() => client.write(chunk), this.delayMs));
  }

  private forward(write: () => void, delayMs: number): void {
    if (this.mode === 'silent') this.held.push(write);
    else if (delayMs > 0) setTimeout(write, delayMs);
    else write();
  }

  /** Passes everything through again, starting with what was held while silent. */
  pass(): void {
    this.mode = 'pass';
    this.delayMs = 0;
    const held = this.held;
    this.held = [];
    for (const write of held) write();
  }

  /** Delays every chunk the source sends by `ms`. */
  delay(ms: number): void {
    this.mode = 'pass';
    this.delayMs = ms;
  }

  /** Keeps connections open and accepts new ones, but forwards nothing: a hung source. */
  silence(): void {
    this.mode = 'silent';
  }

  /** Refuses new connections and drops the open ones. */
  refuse(): void {
    this.mode = 'refuse';
    this.reset();
  }

  /** Drops every open connection. */
  reset(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.held = [];
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
