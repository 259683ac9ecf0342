import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { rtbError } from '../errors.js';

/** PEM certificate and key the reference server's TLS port presents. */
export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
  /** True when generated at start (clients need --insecure, or to trust it another way). */
  readonly selfSigned: boolean;
}

/**
 * The files given (`--cert`/`--key`, both or neither), checked before the server listens —
 * a missing or unreadable file, or a key that does not fit the certificate, is one line
 * (RTB_ERR_USAGE) — or, without them, a self-signed certificate for localhost, 127.0.0.1
 * and ::1 generated in memory. Generated with the `selfsigned` package: Node's crypto makes
 * keys but cannot sign an X.509 certificate, and the openssl CLI is not on every machine.
 * An EC P-256 key: generated in milliseconds, and the curve browsers and servers default to.
 */
export async function loadTlsCredentials(files: { certFile?: string; keyFile?: string }): Promise<TlsCredentials> {
  const { certFile, keyFile } = files;
  if (certFile === undefined && keyFile === undefined) return generateSelfSigned();
  if (certFile === undefined || keyFile === undefined) {
    throw rtbError('RTB_ERR_USAGE', `${certFile === undefined ? '--key' : '--cert'} needs ${certFile === undefined ? '--cert' : '--key'} too (or neither, for a self-signed certificate)`);
  }
  const cert = await readPem(certFile, '--cert', 'certificate');
  const key = await readPem(keyFile, '--key', 'private key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw rtbError('RTB_ERR_USAGE', `--cert: ${certFile} holds no PEM certificate`);
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error('mismatch');
  } catch (error) {
    const why = (error as Error).message === 'mismatch' ? 'does not belong to the certificate in ' + certFile : 'holds no PEM private key (an encrypted key is not supported)';
    throw rtbError('RTB_ERR_USAGE', `--key: ${keyFile} ${why}`);
  }
  return { cert, key, selfSigned: false };
}

async function readPem(path: string, flag: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw rtbError('RTB_ERR_USAGE', `${flag}: cannot read the ${what} ${path}: ${why}`);
  }
}

async function generateSelfSigned(): Promise<TlsCredentials> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private, selfSigned: true };
}

/** Where a restart hands a generated certificate and key over, beside the logs file (a private temporary folder). */
export function handoverCredentialFiles(logsFile: string): { certFile: string; keyFile: string } {
  return { certFile: `${logsFile}.cert.pem`, keyFile: `${logsFile}.key.pem` };
}

/** Writes a generated certificate and key for the next server of a restart (owner-only). */
export function writeHandoverCredentials(logsFile: string, credentials: TlsCredentials): void {
  const files = handoverCredentialFiles(logsFile);
  writeFileSync(files.certFile, credentials.cert, { mode: 0o600 });
  writeFileSync(files.keyFile, credentials.key, { mode: 0o600 });
}
