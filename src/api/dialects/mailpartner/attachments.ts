import type { EmailAttachment } from '../../../core/types.js';
import type { Params } from '../partner/params.js';
import { MSG, mp } from './errors.js';

/** Attachments (spec §2): at most 3 of at most 5 MB each, base64, of the types below [inferred]. */

const MAX_ATTACHMENTS = 3;
const MAX_BYTES = 5 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The content types accepted, each with its file extensions (the first is given to a name without one). */
const EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'text/plain': ['txt'],
  'text/csv': ['csv'],
  'text/calendar': ['ics'],
  'application/zip': ['zip'],
  'application/msword': ['doc'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.ms-excel': ['xls'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.ms-powerpoint': ['ppt'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
  'application/vnd.oasis.opendocument.presentation': ['odp'],
};

const tooLarge = () => mp(9, MSG.attachmentTooLarge);

/** The vendor's file names have no extension; the recipient's mail client needs one. */
function withExtension(filename: string, extensions: readonly string[]): string {
  const has = extensions.some((ext) => filename.toLowerCase().endsWith(`.${ext}`));
  return has ? filename : `${filename}.${extensions[0]}`;
}

const decodedSize = (b64: string): number => (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

/** `attachments`, checked in the vendor's order: content (8), name (16), type (9), then count and size (9). */
export function readAttachments(params: Params): EmailAttachment[] | undefined {
  if (!params.has('attachments')) return undefined;
  const list = params.list('attachments');
  if (!list) throw mp(8, MSG.attachmentRequired);
  const read = list.map((item) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const base64 = typeof o.base64Content === 'string' ? o.base64Content.replace(/\s+/g, '') : '';
    if (!base64) throw mp(8, MSG.attachmentRequired);
    const filename = typeof o.filename === 'string' || typeof o.filename === 'number' ? String(o.filename).trim() : '';
    if (!filename) throw mp(16, MSG.attachmentNameBlank);
    const contentType = typeof o.contentType === 'string' ? o.contentType.split(';')[0]!.trim().toLowerCase() : '';
    const extensions = Object.hasOwn(EXTENSIONS, contentType) ? EXTENSIONS[contentType] : undefined;
    if (!extensions) throw mp(9, MSG.attachmentType);
    return { filename: withExtension(filename, extensions), contentType, base64 };
  });
  if (read.length > MAX_ATTACHMENTS) throw tooLarge();
  for (const { base64 } of read) {
    if (base64.length % 4 !== 0 || !BASE64.test(base64) || decodedSize(base64) > MAX_BYTES) throw tooLarge();
  }
  return read;
}
