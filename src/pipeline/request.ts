import { randomUUID } from 'node:crypto';
import { ErrorCode, refusal } from '../errors';

/**
 * What the pipeline knows of a request before it reads the document: its ids, where it came
 * from, and the headers the contract names, read as UTF-8, bounded and cleaned.
 */
export interface RequestFacts {
  /** The gateway's own id: unique, what the access log is keyed by. */
  requestId: string;
  /** The client's `X-Request-Id`, kept beside it; echoed back in the response. */
  clientRequestId: string | null;
  receivedAt: Date;
  /** The peer's address, for the budgets of requests without a valid credential. */
  address: string;
  /** The bearer credential: an API key or a citizen identity token. */
  credential: string | null;
  purpose: string | null;
  actor: string | null;
  caseId: string | null;
}

/** Headers as the HTTP layer hands them: lower-case names, values as Node decoded them. */
export interface HeaderSource {
  get(name: string): string | undefined;
}

/** Longest `X-Purpose`, `X-Actor` or `X-Case-Id` accepted, in characters. */
export const MAX_HEADER_CHARACTERS = 200;
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// Control characters would break the log's text forms (CSV, terminals).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A header value as UTF-8: Node hands header bytes over as Latin-1, so "Nguyễn" arrives as
 * mojibake unless the bytes are decoded again. Bytes that are not UTF-8 are refused.
 */
function utf8(name: string, raw: string): string {
  const bytes = Buffer.from(raw, 'latin1');
  const text = bytes.toString('utf8');
  if (text.includes('\uFFFD') && !raw.includes('\uFFFD')) {
    throw badHeader(name, 'valid UTF-8 text');
  }
  return text;
}

function badHeader(name: string, expected: string) {
  return refusal(ErrorCode.BAD_USER_INPUT, 400, `Header "${name}" must be ${expected}.`);
}

function contractHeader(headers: HeaderSource, name: string): string | null {
  const raw = headers.get(name);
  if (raw === undefined) return null;
  const value = utf8(name, raw).replace(CONTROL, '').trim();
  if (value === '') return null;
  if (value.length > MAX_HEADER_CHARACTERS) {
    throw badHeader(name, `at most ${MAX_HEADER_CHARACTERS} characters`);
  }
  return value;
}

/** Reads the request's facts; a malformed contract header is BAD_USER_INPUT (HTTP 400). */
export function readRequestFacts(headers: HeaderSource, address: string): RequestFacts {
  const incoming = headers.get('x-request-id');
  const authorization = headers.get('authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return {
    requestId: randomUUID(),
    clientRequestId: incoming && CLIENT_REQUEST_ID.test(incoming) ? incoming : null,
    receivedAt: new Date(),
    address,
    credential: bearer ? bearer[1] : null,
    purpose: contractHeader(headers, 'x-purpose'),
    actor: contractHeader(headers, 'x-actor'),
    caseId: contractHeader(headers, 'x-case-id'),
  };
}
