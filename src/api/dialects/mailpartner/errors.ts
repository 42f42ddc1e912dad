import { MAIL_CANCEL } from '../partner/mail-cancel.js';
import { partnerError, partnerHttpStatus, type PartnerError, type VendorError, type VendorTable } from '../partner/errors.js';

/**
 * Mail Partner's codes and French strings, byte for byte as the vendor writes them (typos and the
 * mix of ' and ’ included): spec/mail-partner.md, spec/errors.md §4, seeds 002 and 004 (which win).
 */
export const MSG = {
  keyRequired: 'La Clé API est requise',
  keyWrong: 'Clé API incorrecte',
  // send (spec §2)
  contentRequired: 'Le contenu du mail est requis',
  senderEmailRequired: 'Le sender email est requis',
  senderNameBlank: 'Le sender name ne peut-être vide',
  attachmentRequired: 'L’URL de la pièce jointe est requise',
  attachmentType: 'L’extension de la pièce jointe n’est pas autorisée',
  credits: 'Crédit insuffisant',
  unsubscribed: 'Le mail est dans la liste des désinscriptions',
  duplicateRecipient: 'Le mail est déjà dans la liste d’envoi',
  attachmentNameBlank: 'Le nom de la pièce jointe ne peut-être vide',
  recipientEmailRequired: 'L’email du destinataire est requis',
  recipientEmailInvalid: 'L’email du destinataire semble invalide',
  recipientNameBlank: 'Le nom du destinataire ne peut-être vide',
  recipientsRequired: 'La liste des destinataires est requise',
  replyToEmailRequired: 'L’email du destinataire en réponse est requis',
  replyToEmailInvalid: 'L’email du destinataire en réponse semble invalide',
  replyToNameBlank: 'Le nom du destinataire en réponse ne peut-être vide',
  accessDenied: 'L’accès à l’API est refusé',
  dateRequired: 'La date est requise',
  hourRequired: 'L’heure est requise',
  minuteInvalid: 'Le chiffre des minutes est invalide',
  minuteStep: 'Les minutes doivent-être comprises entre 5 et 55 dans un intervalle de 5 minutes',
  dateInvalid: 'La date est invalide',
  tooManyMails: 'Le nombre de mails autorisés est de 500 maxi',
  malformedJson: 'Le JSON est malformé: erreur de syntaxe',
  rateLimited: 'Trop de requêtes effectuées en une minute (limite : 2000 requêtes / minute / Adresse IP)',
  // message-cancel and bulk-status (seed 002; the cancel refusals are partner/mail-cancel.ts)
  messageIdRequired: 'L’ID du message est requis',
  messageNotFound: 'Message introuvable',
  // unsubscribe list (spec §5, seed 004)
  mailRequired: 'Le mail est requis',
  mailInvalid: 'Le mail est invalide',
  mailDuplicate: 'Le mail est déjà dans la liste',
  unsubscribeIdNotFound: 'Le mail et invalide',
  // Relais wording where the vendor documents none [inferred].
  attachmentTooLarge: 'La pièce jointe est trop volumineuse ou trop nombreuse (3 pièces jointes de 5 Mo au plus)',
  tagInvalid: 'Le tag est invalide',
  tooLarge: 'La requête est trop volumineuse',
  conflict: 'La requête est en conflit avec l’état actuel',
  unavailable: 'Le service est momentanément indisponible, réessayez plus tard',
  internal: 'Une erreur interne est survenue',
} as const;

/** A Mail Partner answer with the Partner family's HTTP status for its code. */
export const mp = (code: number, message: string): PartnerError => partnerError(partnerHttpStatus(code), code, message);
const entry = (code: number, message: string): VendorError => ({ status: partnerHttpStatus(code), code, message });

/** Code 4 is "not found" (HTTP 404) elsewhere, a refused sender (400) on /send. */
export const senderRequired = (): PartnerError => partnerError(400, 4, MSG.senderEmailRequired);
const senderEntry: VendorError = { status: 400, code: 4, message: MSG.senderEmailRequired };

/**
 * Every Relais code as Mail Partner answers it. Its catalogue has no generic validation code: a
 * field core refuses is the mail's content (2) unless the send endpoint names a closer one.
 */
export const MAIL_PARTNER_ERRORS = {
  invalid_request: entry(2, MSG.contentRequired),
  malformed_body: entry(90, MSG.malformedJson),
  body_too_large: entry(413, MSG.tooLarge),
  unauthorized: entry(10, MSG.keyWrong),
  forbidden: entry(40, MSG.accessDenied),
  not_found: entry(4, MSG.messageNotFound),
  insufficient_credits: entry(11, MSG.credits),
  ...MAIL_CANCEL.refusals,
  invalid_date: entry(49, MSG.dateInvalid),
  nonexistent_local_time: entry(49, MSG.dateInvalid),
  send_at_in_past: entry(49, MSG.dateInvalid),
  invalid_recipient: entry(19, MSG.recipientEmailInvalid),
  recipient_suppressed: entry(14, MSG.unsubscribed),
  too_many_recipients: entry(50, MSG.tooManyMails),
  invalid_sender: senderEntry,
  sender_required: senderEntry,
  message_too_long: entry(2, MSG.contentRequired),
  idempotency_conflict: entry(409, MSG.conflict),
  conflict: entry(409, MSG.conflict),
  rate_limited: entry(429, MSG.rateLimited),
  unavailable: entry(503, MSG.unavailable),
  busy: entry(503, MSG.unavailable),
  internal: entry(500, MSG.internal),
} satisfies VendorTable;
