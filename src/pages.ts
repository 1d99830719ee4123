/**
 * The gateway's web pages: the auditor's console (`/console`) and the citizen's page
 * (`/my-data`), built from web/ by Vite into dist/web and served from the gateway's own files
 * (no CDN: the government network is closed). Every page talks to `/graphql` only, so each thing
 * it shows is an operation the access log records.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { ROOT } from './paths';

/** Where `npm run build` puts the pages. */
export const WEB_DIST = path.join(ROOT, 'dist', 'web');
/** The URL prefix of the pages' scripts, styles and images (Vite's `base`). */
export const PAGE_ASSET_PREFIX = '/pages/';

const PAGES: Record<string, string> = {
  '/console': 'console/index.html',
  '/my-data': 'my-data/index.html',
};
const DEMO_SIGN_IN = '/my-data/demo-sign-in';

/**
 * The mock VNeID's demo sign-in, present only on the embedded default: a few sample citizens,
 * and an identity token for one of them.
 */
export interface DemoSignIn {
  citizens: string[];
  token(citizenId: string): Promise<string>;
}

/**
 * No inline script or style, nothing from another origin; the pages only call the gateway.
 * `blob:` lets the CSV export be saved as a file.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** An asset name as Vite emits them: one path segment, no dot first, a known extension. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

/** Whether the request is for a page, its assets or the demo sign-in. */
export function isPagePath(pathname: string): boolean {
  return (
    pathname in PAGES ||
    pathname.replace(/\/$/, '') in PAGES ||
    pathname === DEMO_SIGN_IN ||
    pathname.startsWith(PAGE_ASSET_PREFIX)
  );
}

function send(
  res: http.ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), {
    'cache-control': 'no-store',
  });
}

const files = new Map<string, Buffer>();

/** A built file under dist/web, read once; null when it is not there. */
function builtFile(relative: string): Buffer | null {
  const cached = files.get(relative);
  if (cached) return cached;
  const full = path.resolve(WEB_DIST, relative);
  // Names are checked before, and this makes escaping the directory impossible whatever they are.
  if (!full.startsWith(WEB_DIST + path.sep)) return null;
  try {
    const body = fs.readFileSync(full);
    // Hashed names never change; the pages themselves may be rebuilt while the gateway runs.
    if (!relative.endsWith('.html')) files.set(relative, body);
    return body;
  } catch {
    return null;
  }
}

async function readSmallBody(req: http.IncomingMessage, limit = 4096): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function demoSignIn(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  demo: DemoSignIn | undefined,
): Promise<void> {
  if (!demo) return sendJson(res, 404, { error: 'no demo sign-in outside the embedded default' });
  if (req.method === 'GET') return sendJson(res, 200, { citizens: demo.citizens });
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'GET or POST' });
  const text = await readSmallBody(req);
  let citizenId: unknown;
  try {
    citizenId = text === null ? undefined : (JSON.parse(text) as { citizenId?: unknown }).citizenId;
  } catch {
    citizenId = undefined;
  }
  if (typeof citizenId !== 'string' || !demo.citizens.includes(citizenId)) {
    return sendJson(res, 400, { error: 'citizenId: one of the sample citizens is required' });
  }
  return sendJson(res, 200, { token: await demo.token(citizenId) });
}

/** Serves a page, one of its assets, or the demo sign-in; anything else under them is a 404. */
export async function servePage(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  demo?: DemoSignIn,
): Promise<void> {
  if (pathname === DEMO_SIGN_IN) return demoSignIn(req, res, demo);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'text/plain; charset=utf-8', 'GET only', { allow: 'GET, HEAD' });
  }
  const page = PAGES[pathname] ?? PAGES[pathname.replace(/\/$/, '')];
  if (page) {
    const body = builtFile(page);
    if (!body) {
      return send(
        res,
        503,
        'text/plain; charset=utf-8',
        'The web pages are not built: run `npm run build`.',
      );
    }
    return send(res, 200, TYPES['.html'], body, { 'cache-control': 'no-cache' });
  }
  const name = pathname.slice(PAGE_ASSET_PREFIX.length);
  const prefix = name.startsWith('assets/') ? 'assets/' : '';
  const file = name.slice(prefix.length);
  const type = TYPES[path.extname(file)];
  const body = ASSET_NAME.test(file) && type ? builtFile(prefix + file) : null;
  if (!body || !type) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
  return send(res, 200, type, body, {
    'cache-control': prefix ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
  });
}
