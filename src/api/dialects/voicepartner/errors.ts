import { scheduleRefusals } from '../dialect.js';
import { partnerError, type PartnerError, type VendorCode, type VendorError, type VendorTable } from '../partner/errors.js';

/**
 * Voice Partner's codes and French strings, byte for byte (the typographic ’ included):
 * spec/voice-partner.md §0.1, §3, §7 and seed 000. The vendor documents no error body; the
 * envelope `{success: false, code, message}` and the HTTP statuses are spec/errors.md §2's.
 */
export const MSG = {
  keyWrong: 'Clé API incorrecte',
  // Send codes (symbols), from the vendor's FR catalogue.
  phoneRequired: 'Le numéro de téléphone est requis',
  phoneSize: 'Le nombre de numéros est supérieur à 500',
  tokenAudioRequired: 'Le token de l’audio est requis',
  notifyUrlInvalid: 'L’url de notification est invalide',
  senderNotAuthorized: 'Le sender n’est pas autorisé',
  senderInvalid: 'Le sender est invalide',
  audioNotFound: 'Le fichier audio est introuvable',
  destinationInvalid: 'Le numéro de téléphone n’est pas autorisé',
  notCredit: 'Crédit insuffisant',
  // Control codes of cancel (seed 000), also the generic answers.
  badRequest: 'Mauvaise requête',
  notAllowed: 'Action non autorisé.',
  notFound: 'Ressource non trouvé.',
  tooManyRequests: 'Trop de requêtes',
  // Relais wording where the vendor documents none [inferred].
  tooLarge: 'La requête est trop volumineuse',
  conflict: 'La requête est en conflit avec l’état actuel',
  unavailable: 'Le service est momentanément indisponible, réessayez plus tard',
  internal: 'Une erreur interne est survenue',
} as const;

const entry = (status: number, code: VendorCode, message: string): VendorError => ({ status, code, message });

export const BAD_REQUEST = entry(400, 400, MSG.badRequest);
export const AUDIO_FILE_NOT_FOUND = entry(404, 'AUDIO_FILE_NOT_FOUND', MSG.audioNotFound);
export const PHONE_NUMBER_REQUIRED = entry(400, 'PHONE_NUMBER_REQUIRED', MSG.phoneRequired);
export const PHONE_NUMBER_SIZE_ERROR = entry(400, 'PHONE_NUMBER_SIZE_ERROR', MSG.phoneSize);
export const TOKEN_AUDIO_REQUIRED = entry(400, 'TOKEN_AUDIO_REQUIRED', MSG.tokenAudioRequired);
export const NOTIFY_URL_INVALID = entry(400, 'NOTIFY_URL_INVALID', MSG.notifyUrlInvalid);
export const SENDER_NOT_AUTHORIZED = entry(403, 'SENDER_NOT_AUTHORIZED', MSG.senderNotAuthorized);
/** Cancel's wrong (or missing) key: seed 000's body code 10 with the EN page's HTTP 401 (spec §7). */
export const CANCEL_UNAUTHORIZED = entry(401, 10, MSG.notAllowed);

/** A Voice Partner answer ready to throw. */
export const vp = (e: VendorError): PartnerError => partnerError(e.status, e.code, e.message as string);

/**
 * Every Relais code as Voice Partner answers it: the symbols where the catalogue has one, else
 * the HTTP-status-valued codes of seed 000 (400 `Mauvaise requête`, 404 `Ressource non trouvé.`).
 * A wrong key is `/me`'s 10 `Clé API incorrecte` with HTTP 401; cancel will override it with
 * `Action non autorisé.` (spec §7).
 */
export const VOICE_PARTNER_ERRORS = {
  invalid_request: BAD_REQUEST,
  malformed_body: BAD_REQUEST,
  body_too_large: entry(413, 413, MSG.tooLarge),
  unauthorized: entry(401, 10, MSG.keyWrong),
  forbidden: entry(403, 10, MSG.notAllowed),
  not_found: entry(404, 404, MSG.notFound),
  insufficient_credits: entry(402, 'NOT_CREDIT', MSG.notCredit),
  ...scheduleRefusals(BAD_REQUEST),
  invalid_recipient: entry(400, 'DESTINATION_INVALID', MSG.destinationInvalid),
  recipient_suppressed: entry(400, 'DESTINATION_INVALID', MSG.destinationInvalid),
  too_many_recipients: entry(400, 'PHONE_NUMBER_SIZE_ERROR', MSG.phoneSize),
  invalid_sender: entry(400, 'SENDER_INVALID', MSG.senderInvalid),
  sender_required: entry(400, 'SENDER_INVALID', MSG.senderInvalid),
  message_too_long: BAD_REQUEST,
  idempotency_conflict: entry(409, 409, MSG.conflict),
  conflict: entry(409, 409, MSG.conflict),
  rate_limited: entry(429, 429, MSG.tooManyRequests),
  unavailable: entry(503, 503, MSG.unavailable),
  busy: entry(503, 503, MSG.unavailable),
  internal: entry(500, 500, MSG.internal),
} satisfies VendorTable;

/**
 * No `apiKey` anywhere (or an empty path segment): the vendor documents no "key required", so
 * the wrong key's answer, the route's own where it has one (cancel) [inferred].
 */
export const MISSING_KEY = null;
/** A path Voice Partner does not serve. */
export const NOT_FOUND = vp(VOICE_PARTNER_ERRORS.not_found);
