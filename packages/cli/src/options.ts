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
