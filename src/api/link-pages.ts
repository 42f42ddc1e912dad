/**
 * The small HTML pages of a mail's signed links (api/links.ts): French first, English below, no
 * script, no external resource, nothing but what the recipient needs.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}'
  + 'button{font-size:1rem;padding:.5rem 1rem}hr{margin:2rem 0}';

/** One page; `fr` and `en` are HTML already escaped. */
const page = (title: string, fr: string, en: string): string =>
  `<!doctype html>\n<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`
  + `<meta name="robots" content="noindex"><title>${title}</title><style>${STYLE}</style></head>\n`
  + `<body>${fr}<hr><div lang="en">${en}</div></body></html>\n`;

/**
 * The confirmation GET shows. The form posts to the page's own URL (no action), which is the
 * public one even behind a proxy with a path prefix, with the body RFC 8058's one-click POST has.
 */
export function unsubscribeForm(address: string): string {
  const a = `<strong>${escapeHtml(address)}</strong>`;
  return page('Se désinscrire · Unsubscribe',
    `<h1>Se désinscrire de ces e-mails ?</h1><p>${a} ne recevra plus les e-mails de cet expéditeur.</p>`
    + '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
    + '<button type="submit">Se désinscrire · Unsubscribe</button></form>',
    `<h2>Unsubscribe from these e-mails?</h2><p>${a} will no longer receive e-mails from this sender.</p>`);
}

export function unsubscribedPage(address: string): string {
  const a = `<strong>${escapeHtml(address)}</strong>`;
  return page('Désinscription confirmée · Unsubscribed',
    `<h1>Vous êtes désinscrit</h1><p>${a} ne recevra plus les e-mails de cet expéditeur.</p>`,
    `<h2>You are unsubscribed</h2><p>${a} will no longer receive e-mails from this sender.</p>`);
}

export const invalidLinkPage = (): string => page('Lien invalide · Invalid link',
  '<h1>Lien invalide ou expiré</h1><p>Ce lien n’est pas valide, ou il a expiré.</p>',
  '<h2>Invalid or expired link</h2><p>This link is not valid, or it has expired.</p>');

/** Any other failure, by status: nothing of the error itself is shown. */
export const failurePage = (status: number): string => page(`Erreur ${status} · Error ${status}`,
  `<h1>Erreur ${status}</h1><p>La demande n’a pas pu aboutir.</p>`,
  `<h2>Error ${status}</h2><p>The request could not be completed.</p>`);

/** A text-only mail read online: its text as it was sent, escaped, in <pre>. */
export const textMailPage = (subject: string, text: string): string =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(subject)}</title></head>\n`
  + `<body><pre style="white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>\n`;
