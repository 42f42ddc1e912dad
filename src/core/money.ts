import { RelaisError } from './errors.js';

/**
 * Credits are integers in thousandths of the account currency (1.8 EUR = 1800), so that
 * sums never drift; the API shows them as decimal strings with three places.
 */
export type Credits = number;

const DECIMAL = /^(-)?(\d{1,12})(?:\.(\d{1,3}))?$/;

export function parseCredits(input: string | number, field = 'credits'): Credits {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = DECIMAL.exec(text);
  if (!m) {
    throw new RelaisError('invalid_request', `${field} must be a decimal number with at most 3 decimals`, { field });
  }
  const units = Number(m[2]) * 1000 + Number((m[3] ?? '').padEnd(3, '0'));
  return m[1] ? -units : units;
}

export function formatCredits(value: Credits): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}
