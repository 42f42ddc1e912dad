import type { RelaisError } from '../../../core/errors.js';
import { partnerError, partnerHttpStatus, type PartnerError, type VendorTable } from '../partner/errors.js';

/**
 * SMS Partner's codes and French strings, byte for byte as the vendor emits them (typos and the
 * mix of ' and ’ included): spec/sms-partner.md, spec/errors.md §3, seed 001 (which wins).
 */
export const MSG = {
  keyRequired: 'La Clé API est requise',
  keyWrong: 'Clé API incorrecte',
  phoneRequired: 'Le numéro de téléphone est requis',
  phoneInvalid: 'Le numéro de téléphone est invalide',
  // seed 001 writes this one with a straight apostrophe; the status pages use ’.
  cancelIdRequired: "L'ID du message est requis",
  messageIdRequired: 'L’ID du message est requis',
  messageNotFound: 'Message introuvable',
  alreadyCancelled: "L'envoi du SMS a déjà été annulé",
  tooLate: "Il n'est pas possible d'annuler l'envoi d'un SMS si celui-ci doit être envoyé dans moins de 5 minutes.",
  cancelled: "L'envoi du SMS a été annulé.",
  credits: 'Manque de crédits',
  stopListed: 'Le numéro est dans la liste des STOP SMS',
  stopDuplicate: 'Le numéro est déjà présent dans la liste',
  stopIdRequired: 'L’ID du numéro est requis',
  stopIdNotFound: 'L’ID du numéro introuvable',
  accessDenied: 'L’accès à l’API est refusé',
  lowCostLength: 'Le nombre de caractères pour un sms Low Cost est 160 caractères',
  senderInvalid: 'L’émetteur est invalide',
  minuteInvalid: 'Le chiffre des minutes est invalide',
  minuteStep: 'Les minutes doivent-être comprise entre 5 et 55 dans un interval de 5 minutes',
  tooManyNumbers: 'Le nombre de numéros autorisés est de 500 maxi',
  tooManySegments: 'Le nombre de SMS concaténés ne peut excéder 10 SMS',
  nothingToSend: 'Aucun numéro à envoyer',
  malformedJson: 'Le JSON est malformé: erreur de syntaxe',
  queueProblem: 'Problème lors de l’ajout du sms dans la file d’attente',
  emptyList: 'La liste des numéros est vide',
  badFormat: 'Le format n’est pas correct',
  numberNotFound: 'Numéro introuvable',
  // Validation list items (code 9), unaccented as in the vendor's JSON.
  messageRequired: 'Le message est requis',
  phoneNotValid: (input: string) => `Ce numero de telephone n'est pas valide (${input})`,
  senderTooLong: "L'emetteur ne peut pas etre plus long que 11 caracteres",
  datePast: (date: string, hour: string, minute: string) => `La date (${date} à ${hour}:${minute}) est anterieure a la date actuelle.`,
  minuteRequired: 'La minute est requise',
  hourRequired: "L'heure est requise",
  // Relais wording where the vendor documents none [inferred].
  dateInvalid: 'La date est invalide',
  hourInvalid: "L'heure est invalide",
  valueInvalid: 'La valeur est invalide',
  tagInvalid: 'Le tag est invalide',
  urlInvalid: "L'url est invalide",
  gammeInvalid: 'La gamme est invalide',
  notFound: 'Ressource introuvable',
  tooLarge: 'La requête est trop volumineuse',
  rateLimited: 'Trop de requêtes, réessayez dans une minute',
  unavailable: 'Le service est momentanément indisponible, réessayez plus tard',
  internal: 'Une erreur interne est survenue',
  conflict: 'La requête est en conflit avec l’état actuel',
} as const;

/** An SMS Partner error answer with its default HTTP status. */
export const sp = (code: number, message: string): PartnerError => partnerError(partnerHttpStatus(code), code, message);

/** Core fields → the vendor's parameter names, for `children[<name>].data`. */
const PARAM: Record<string, string> = { text: 'message', content: 'message', recipients: 'phoneNumbers', sender: 'sender', sendAt: 'scheduledDeliveryDate', date: 'scheduledDeliveryDate', callbackUrl: 'urlDlr' };
const element = (e: RelaisError) => `children[${PARAM[String(e.details.field)] ?? String(e.details.field ?? 'request')}].data`;
const field = (name: string) => `children[${name}].data`;

/** Every Relais code as SMS Partner answers it by default; endpoints override some (RouteOptions.errors). */
export const SMS_PARTNER_ERRORS = {
  invalid_request: { status: 400, code: 9, message: MSG.valueInvalid, elementId: element },
  malformed_body: { status: 400, code: 90, message: MSG.malformedJson },
  body_too_large: { status: 413, code: 413, message: MSG.tooLarge },
  unauthorized: { status: 401, code: 10, message: MSG.keyWrong },
  forbidden: { status: 403, code: 40, message: MSG.accessDenied },
  not_found: { status: 404, code: 4, message: MSG.messageNotFound },
  insufficient_credits: { status: 402, code: 11, message: MSG.credits },
  cancel_too_late: { status: 400, code: 6, message: MSG.tooLate },
  already_cancelled: { status: 400, code: 5, message: MSG.alreadyCancelled },
  // Seed 001 (the live page) has no "already sent" code: a sent message is past the cutoff too.
  already_dispatched: { status: 400, code: 6, message: MSG.tooLate },
  invalid_date: { status: 400, code: 9, message: MSG.dateInvalid, elementId: field('scheduledDeliveryDate') },
  nonexistent_local_time: { status: 400, code: 9, message: MSG.dateInvalid, elementId: field('scheduledDeliveryDate') },
  send_at_in_past: { status: 400, code: 9, message: MSG.dateInvalid, elementId: field('scheduledDeliveryDate') },
  invalid_recipient: { status: 400, code: 9, message: (e) => MSG.phoneNotValid(String(e.details.address ?? '')), elementId: field('phoneNumbers') },
  recipient_suppressed: { status: 400, code: 14, message: MSG.stopListed },
  too_many_recipients: { status: 400, code: 50, message: MSG.tooManyNumbers },
  invalid_sender: { status: 400, code: 44, message: MSG.senderInvalid },
  // A mail without a From; SMS Partner sends none, its sender error is the nearest.
  sender_required: { status: 400, code: 44, message: MSG.senderInvalid },
  message_too_long: { status: 400, code: 52, message: MSG.tooManySegments },
  idempotency_conflict: { status: 409, code: 409, message: MSG.conflict },
  conflict: { status: 409, code: 409, message: MSG.conflict },
  rate_limited: { status: 429, code: 429, message: MSG.rateLimited },
  unavailable: { status: 503, code: 503, message: MSG.unavailable },
  busy: { status: 503, code: 503, message: MSG.unavailable },
  internal: { status: 500, code: 500, message: MSG.internal },
} satisfies VendorTable;
