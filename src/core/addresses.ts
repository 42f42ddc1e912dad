// The default ('min') metadata checks each country's lengths and leading digits at a fifth of the
// cost of 'max' (which adds per-type patterns); bulk scheduling parses every recipient.
import { parsePhoneNumberFromString, PhoneNumber, type CountryCode, type E164Number } from 'libphonenumber-js';
import { RelaisError } from './errors.js';

function invalid(input: string, what: string): RelaisError {
  return new RelaisError('invalid_recipient', `invalid ${what} "${input}"`, { address: input });
}

const E164 = /^\+[1-9][0-9]{1,14}$/;

/** The country patterns' verdict on an E.164 number; false (ask the parser) for an unknown calling code, which throws. */
function acceptsAsIs(e164: string): boolean {
  try {
    return new PhoneNumber(e164 as E164Number).isValid();
  } catch {
    return false;
  }
}

/**
 * Normalises a phone number to E.164, rejecting one that the country's metadata rules out before
 * it costs anything. Input already in E.164 form that the country patterns accept as
 * it is skips the general parser (a fifth of its cost; bulk sends are mostly such input); when the
 * shortcut does not accept it, the parser decides (e.g. a calling code shared by several countries).
 */
export function normalizePhone(input: string, defaultRegion: CountryCode = 'FR'): string {
  const text = input.trim();
  if (E164.test(text) && acceptsAsIs(text)) return text;
  const parsed = parsePhoneNumberFromString(text, defaultRegion);
  if (!parsed || !parsed.isValid()) throw invalid(input, 'phone number');
  return parsed.number;
}

// Each pattern is a single character class under one quantifier, so matching is linear
// whatever the input (no nested or adjacent overlapping quantifiers).
const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^[a-z]{2,63}$/;

/**
 * Normalises an e-mail address: trimmed, domain lower-cased (the local part is
 * case-sensitive per RFC 5321, so it is kept). Only unquoted dot-atom local parts and
 * ASCII domains are accepted; quoted local parts and IDN domains are rejected.
 */
export function normalizeEmail(input: string): string {
  const text = input.trim();
  const at = text.indexOf('@');
  if (at <= 0 || at !== text.lastIndexOf('@')) throw invalid(input, 'e-mail address');
  const local = text.slice(0, at);
  const domain = text.slice(at + 1).toLowerCase();
  const address = `${local}@${domain}`;
  if (local.length > 64 || address.length > 254) throw invalid(input, 'e-mail address');
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) throw invalid(input, 'e-mail address');
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)) || !TLD.test(labels[labels.length - 1]!)) {
    throw invalid(input, 'e-mail address');
  }
  return address;
}

/** Normalises a recipient for its channel; voice calls go to phone numbers. */
export function normalizeAddress(
  channel: 'sms' | 'email' | 'voice',
  input: string,
  defaultRegion: CountryCode = 'FR',
): string {
  return channel === 'email' ? normalizeEmail(input) : normalizePhone(input, defaultRegion);
}

/** ISO 3166 country of an E.164 number (`FR`), or undefined when it cannot be told. */
export function phoneCountry(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
