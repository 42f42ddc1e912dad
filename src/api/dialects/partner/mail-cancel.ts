import type { CancelWords } from './vendor.js';

const refusal = (code: number, message: string) => ({ status: 400, code, message });

/**
 * Mail Partner's cancel words (seed 002: ’ in the refusals, ' in the success message). In the
 * family's folder because SMS Partner answers with them too, for a mail cancelled on its host.
 */
export const MAIL_CANCEL = {
  cancelled: "L'envoi du mail a été annulé.",
  refusals: {
    already_cancelled: refusal(5, 'L’envoi du mail a déjà été annulé'),
    cancel_too_late: refusal(6, 'Vous ne pouvez pas annuler l’envoi d’un mail moins de 5 minutes avant son envoi'),
    already_dispatched: refusal(7, 'Vous ne pouvez pas annuler un mail déjà envoyé'),
  },
} satisfies CancelWords;
