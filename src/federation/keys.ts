import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/** The gateway's Ed25519 key pair for signing statements, as PEM for the processes it starts. */
export interface StatementKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

/** A fresh key pair: `start:federated` makes one per run and hands the public half to the subgraphs. */
export function generateStatementKeys(): StatementKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : Buffer.from(value, 'base64').toString('utf8');
}

/** The gateway's signing key from FEDERATION_SIGNING_KEY (PKCS#8 PEM), or a fresh pair when unset. */
export function statementKeysFrom(env: NodeJS.ProcessEnv): StatementKeys {
  const text = env.FEDERATION_SIGNING_KEY;
  if (!text) return generateStatementKeys();
  const privateKey = createPrivateKey(pem(text));
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error('FEDERATION_SIGNING_KEY must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** The key a subgraph trusts, from FEDERATION_PUBLIC_KEY (SPKI PEM); a subgraph cannot start without it. */
export function gatewayPublicKeyFrom(env: NodeJS.ProcessEnv): KeyObject {
  const text = env.FEDERATION_PUBLIC_KEY;
  if (!text) throw new Error("FEDERATION_PUBLIC_KEY is required: the gateway's Ed25519 public key");
  const key = createPublicKey(pem(text));
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error('FEDERATION_PUBLIC_KEY must be an Ed25519 public key');
  return key;
}
