/**
 * The transparency-log formats the witness speaks, after C2SP: signed notes (c2sp.org/signed-note),
 * checkpoints (c2sp.org/tlog-checkpoint) and Ed25519 cosignatures (c2sp.org/tlog-cosignature),
 * with verifier keys in the `name+keyid+base64` form of Go's golang.org/x/mod/sumdb/note.
 *
 * The access log is a hash chain, not a Merkle tree: a checkpoint's "tree size" is the chain's
 * last sequence number and its "root hash" that entry's SHA-256 hash, which commits to every
 * entry before it.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** Signature type bytes of c2sp.org/signed-note. */
export const NOTE_ED25519 = 0x01;
export const COSIGNATURE_ED25519 = 0x04;

const EM_DASH = '\u2014';
const MAX_SIGNATURES = 16;
const MAX_NOTE_BYTES = 16_384;

/** A checkpoint body: which log, how far, and the hash of its last entry (hex, as the log stores it). */
export interface CheckpointBody {
  origin: string;
  size: bigint;
  hash: string;
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the 4-byte key id. */
  bytes: Buffer;
  line: string;
}

/** A key that signs or verifies notes: its name, type byte, and the Ed25519 key. */
export interface NoteVerifier {
  name: string;
  type: number;
  keyId: number;
  publicKey: KeyObject;
}

/** A NoteVerifier that can also sign. */
export interface NoteSigner extends NoteVerifier {
  privateKey: KeyObject;
}

/** A malformed note, checkpoint or key; the message says which part. */
export class NoteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteFormatError';
  }
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** The key id of c2sp.org/signed-note: SHA-256(name || "\n" || type || public key)[:4]. */
export function noteKeyId(name: string, type: number, publicKey: KeyObject): number {
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(rawPublicKey(publicKey))
    .digest()
    .readUInt32BE(0);
}

function checkKeyName(name: string): string {
  if (name.length === 0 || /[\s+]/u.test(name)) {
    throw new NoteFormatError(`key name "${name}" must be non-empty, without spaces or "+"`);
  }
  return name;
}

/** A verifier for `name` over an Ed25519 public key. */
export function noteVerifier(name: string, type: number, publicKey: KeyObject): NoteVerifier {
  return { name: checkKeyName(name), type, keyId: noteKeyId(name, type, publicKey), publicKey };
}

/** A signer for `name` over an Ed25519 private key. */
export function noteSigner(name: string, type: number, privateKey: KeyObject): NoteSigner {
  return { ...noteVerifier(name, type, createPublicKey(privateKey)), privateKey };
}

/** The verifier key text, `name+keyid(8 hex)+base64(type || public key)`, for configuration. */
export function encodeVerifierKey(key: NoteVerifier): string {
  const data = Buffer.concat([Buffer.from([key.type]), rawPublicKey(key.publicKey)]);
  return `${key.name}+${key.keyId.toString(16).padStart(8, '0')}+${data.toString('base64')}`;
}

/** Parses `name+keyid+base64(type || key)`; checks that the key id matches the key. */
export function parseVerifierKey(text: string): NoteVerifier {
  const parts = text.trim().split('+');
  // The base64 may itself hold "+": the name and id are the first two fields.
  if (parts.length < 3) throw new NoteFormatError('a verifier key is name+keyid+base64key');
  const [name, id] = parts;
  const data = Buffer.from(parts.slice(2).join('+'), 'base64');
  if (!/^[0-9a-f]{8}$/.test(id) || data.length !== 33) {
    throw new NoteFormatError(`verifier key "${text.slice(0, 60)}" is malformed`);
  }
  const type = data[0];
  if (type !== NOTE_ED25519 && type !== COSIGNATURE_ED25519) {
    throw new NoteFormatError(`verifier key "${name}" has unsupported type ${type}`);
  }
  const key = noteVerifier(name, type, publicKeyFromRaw(data.subarray(1)));
  if (key.keyId !== parseInt(id, 16)) {
    throw new NoteFormatError(`verifier key "${name}": the key id does not match the key`);
  }
  return key;
}

/** The note text of a checkpoint: origin, size, base64 root hash, each ending in a newline. */
export function checkpointText(body: CheckpointBody): string {
  if (!/^[0-9a-f]{64}$/.test(body.hash)) throw new NoteFormatError('hash must be 64 hex digits');
  return `${body.origin}\n${body.size}\n${Buffer.from(body.hash, 'hex').toString('base64')}\n`;
}

/** Parses the text of a checkpoint; extension lines are not used by this log and are refused. */
export function parseCheckpointText(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '') {
    throw new NoteFormatError('a checkpoint is three lines: origin, size, root hash');
  }
  const [origin, size, hash] = lines;
  if (origin.length === 0) throw new NoteFormatError('the checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]{0,18})$/.test(size)) {
    throw new NoteFormatError('the checkpoint size is not a decimal without leading zeroes');
  }
  const root = Buffer.from(hash, 'base64');
  if (root.length !== 32 || root.toString('base64') !== hash) {
    throw new NoteFormatError('the checkpoint root hash is not 32 bytes of base64');
  }
  return { origin, size: BigInt(size), hash: root.toString('hex') };
}

/** Signs `text` as a note; returns the signature line (with its newline). */
export function signNoteLine(signer: NoteSigner, text: string): string {
  if (signer.type !== NOTE_ED25519) throw new Error('signNoteLine signs with a note key');
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  return `${EM_DASH} ${signer.name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** The message an Ed25519 cosignature covers (c2sp.org/tlog-cosignature, cosignature/v1). */
function cosignedMessage(text: string, timestamp: bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
}

/** Cosigns a checkpoint's text at `timestamp` (POSIX seconds); returns the signature line. */
export function cosignLine(signer: NoteSigner, text: string, timestamp: bigint): string {
  if (signer.type !== COSIGNATURE_ED25519) throw new Error('cosignLine signs with a cosigner key');
  const head = Buffer.alloc(12);
  head.writeUInt32BE(signer.keyId, 0);
  head.writeBigUInt64BE(timestamp, 4);
  const signature = sign(null, cosignedMessage(text, timestamp), signer.privateKey);
  return `${EM_DASH} ${signer.name} ${Buffer.concat([head, signature]).toString('base64')}\n`;
}

/** A note split into its text and signature lines. */
export interface ParsedNote {
  text: string;
  signatures: NoteSignature[];
}

/** Splits a signed note; the text ends at the last blank line. */
export function parseNote(note: string): ParsedNote {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new NoteFormatError('note too large');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) {
    throw new NoteFormatError('a note holds no control characters but newline');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new NoteFormatError('a note is text, a blank line, signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteFormatError('too many signatures');
  return { text, signatures: lines.map(parseSignatureLine) };
}

/** Parses one `— name base64` line (with or without its newline). */
export function parseSignatureLine(line: string): NoteSignature {
  const match = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)\n?$/u.exec(line);
  if (!match) throw new NoteFormatError('a signature line is "— <name> <base64>"');
  const bytes = Buffer.from(match[2], 'base64');
  if (bytes.length < 5) throw new NoteFormatError('a signature is shorter than its key id');
  return {
    name: match[1],
    keyId: bytes.readUInt32BE(0),
    bytes: bytes.subarray(4),
    line: line.endsWith('\n') ? line : `${line}\n`,
  };
}

/** True when `signature` is `key`'s valid note signature over `text`. */
export function noteSignatureValid(key: NoteVerifier, text: string, signature: NoteSignature) {
  if (signature.name !== key.name || signature.keyId !== key.keyId) return false;
  try {
    return verify(null, Buffer.from(text, 'utf8'), key.publicKey, signature.bytes);
  } catch {
    return false;
  }
}

/** The cosignature's time (POSIX seconds) when `signature` is `key`'s valid cosignature over `text`. */
export function cosignatureTime(
  key: NoteVerifier,
  text: string,
  signature: NoteSignature,
): bigint | null {
  if (signature.name !== key.name || signature.keyId !== key.keyId) return null;
  if (signature.bytes.length !== 8 + 64) return null;
  const timestamp = signature.bytes.readBigUInt64BE(0);
  try {
    return verify(
      null,
      cosignedMessage(text, timestamp),
      key.publicKey,
      signature.bytes.subarray(8),
    )
      ? timestamp
      : null;
  } catch {
    return null;
  }
}

/** The signature lines of `note` made by `key` (same name and key id), whatever their validity. */
export function signaturesBy(note: ParsedNote, key: NoteVerifier): NoteSignature[] {
  return note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
}
