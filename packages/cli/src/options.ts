import { InvalidArgumentError } from 'commander';

/** A commander parser for an integer flag that names the flag in its error. */
export function intOption(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be an integer between ${min} and ${max}, got "${value}"`);
    }
    return n;
  };
}

/** A usage error the CLI prints as `siemlink: [INVALID_ARGUMENT] message` with exit 1. */
export function argumentError(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'INVALID_ARGUMENT' });
}

/** A port from an environment variable (a flag wins over it); a bad value names the variable. */
export function envPort(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw argumentError(`${name} must be a port number 0..65535, got "${raw}"`);
  }
  return Number(raw);
}
