import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { SiemError } from './errors.ts';

/** Where the SIEM's certificate and private key are (PEM files). */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** What the https servers take: the PEMs and the protocol floor. */
export type TlsServerOptions = SecureContextOptions & { cert: string; key: string };

const FLAGS = { certFile: '--tls-cert', keyFile: '--tls-key' } as const;

function tlsError(field: string, message: string, cause?: unknown): SiemError {
  return new SiemError({ code: 'INVALID_TLS', field, message, cause });
}

function readPem(field: keyof TlsFiles, path: string, marker: RegExp, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    throw tlsError(`tls.${field}`, `${FLAGS[field]} ${path}: cannot read the file (${code})`, err);
  }
  if (!marker.test(text)) {
    throw tlsError(`tls.${field}`, `${FLAGS[field]} ${path}: not a PEM ${what}`);
  }
  return text;
}

/**
 * Reads and checks the pair before any socket opens: a missing or unreadable file, a file that
 * is not PEM, or a key that does not belong to the certificate is a config error naming the flag.
 * TLS 1.2 is the floor; Node's default cipher list (forward-secret AEAD suites first) is kept.
 * The key's content never reaches a message.
 */
export function loadTlsFiles(files: TlsFiles): TlsServerOptions {
  const cert = readPem('certFile', files.certFile, /-----BEGIN CERTIFICATE-----/, 'certificate');
  const key = readPem('keyFile', files.keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key');
  const options: TlsServerOptions = { cert, key, minVersion: 'TLSv1.2' };
  try {
    createSecureContext(options);
  } catch (err) {
    const reason = (err as { code?: string }).code ?? (err as Error).message;
    throw tlsError(
      'tls.keyFile',
      `${FLAGS.keyFile} ${files.keyFile} does not fit ${FLAGS.certFile} ${files.certFile} (${reason})`,
    );
  }
  return options;
}

/**
 * Fastify's `https` server option for a SIEM app when TLS is configured (HTTP/1.1 over TLS),
 * else nothing. Typed as the plain HTTP factory's options: the request and reply APIs are the same.
 */
export function httpsOption(tls: TlsFiles | undefined): { https?: TlsServerOptions } {
  return tls ? { https: loadTlsFiles(tls) } : {};
}
