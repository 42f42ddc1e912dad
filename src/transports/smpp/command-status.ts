import type { SendResult } from '../../core/transport.js';

/** The provider code of a command_status: its hex form, as SMSC documentation writes it (`0x0000000B`). */
export const statusCode = (status: number): string => `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;

export const ESME_ROK = 0x00;
export const ESME_RINVBNDSTS = 0x04;
export const ESME_RUNKNOWNERR = 0xff;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RTHROTTLED = 0x58;
/** A deliver_sm the ESME could not take now: the SMSC delivers it again later. */
export const ESME_RX_T_APPN = 0x64;

/** The statuses that ask the ESME to slow down, not to give the message up. */
export const isThrottle = (status: number): boolean => status === ESME_RTHROTTLED || status === ESME_RMSGQFUL;

/**
 * The refusals that are the message's own fault (its addresses, its coding, its content, what
 * the account may send): another attempt would be refused the same way. Any other status — the
 * SMSC's own trouble (ESME_RSYSERR), a bind in the wrong state, one it does not know — is
 * retried: failing, and so refunding, a whole campaign for an SMSC's bad minute would be wrong.
 */
const PERMANENT: Readonly<Record<number, string>> = {
  0x01: 'ESME_RINVMSGLEN',
  0x0a: 'ESME_RINVSRCADR',
  0x0b: 'ESME_RINVDSTADR',
  0x43: 'ESME_RINVESMCLASS',
  0x45: 'ESME_RSUBMITFAIL',
  0x48: 'ESME_RINVSRCTON',
  0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON',
  0x51: 'ESME_RINVDSTNPI',
  0x62: 'ESME_RINVEXPIRY',
  0xc0: 'ESME_RINVTLVSTREAM',
  0xc1: 'ESME_RTLVNOTALLWD',
  0xc2: 'ESME_RINVTLVLEN',
  0xc4: 'ESME_RINVTLVVAL',
  0xfe: 'ESME_RDELIVERYFAILURE',
  0x101: 'ESME_RPROHIBITED',
  0x103: 'ESME_RSERTYPDENIED',
  0x104: 'ESME_RINVDCS',
};

const RETRYABLE: Readonly<Record<number, string>> = {
  [ESME_RINVBNDSTS]: 'ESME_RINVBNDSTS',
  0x08: 'ESME_RSYSERR',
  0x0d: 'ESME_RBINDFAIL',
  0x0e: 'ESME_RINVPASWD',
  0x0f: 'ESME_RINVSYSID',
  [ESME_RMSGQFUL]: 'ESME_RMSGQFUL',
  [ESME_RTHROTTLED]: 'ESME_RTHROTTLED',
  0x61: 'ESME_RINVSCHED',
  [ESME_RX_T_APPN]: 'ESME_RX_T_APPN',
  [ESME_RUNKNOWNERR]: 'ESME_RUNKNOWNERR',
  0x102: 'ESME_RSERTYPUNAVAIL',
};

/** The status's name, or its code when the table does not know it. */
export const statusName = (status: number): string => PERMANENT[status] ?? RETRYABLE[status] ?? statusCode(status);

/** What a submit_sm_resp refusing a message means for its recipient. */
export function refusal(status: number): SendResult & { ok: false } {
  return { ok: false, retryable: PERMANENT[status] === undefined, reason: `SMSC refused the message: ${statusName(status)}`, providerCode: statusCode(status) };
}
