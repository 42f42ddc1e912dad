import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` characters [0-9A-Za-z] from the system's cryptographic randomness: keys and opaque tokens. */
export function randomBase62(length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += BASE62[randomInt(62)];
  return id;
}
