import type { Core } from '../../../core/context.js';
import type { AccountOverview } from '../../../core/statistics.js';
import type { RecipientState } from '../../../core/status.js';
import type { Channel, Recipient, SuppressionChannel } from '../../../core/types.js';
import type { PartnerError, VendorError, VendorOverrides, VendorTable } from './errors.js';
import type { DialectContext } from '../dialect.js';

/** What every Partner endpoint is given: the context every dialect's routes receive. */
export type PartnerEndpointOptions = DialectContext;

/** How a Partner dialect's routes are mounted: the shared context and the always-200 switch. */
export interface PartnerDialectOptions extends PartnerEndpointOptions {
  /** Errors answered with HTTP 200 (RELAIS_<VENDOR>_ALWAYS_200). */
  always200: boolean;
}

/**
 * The sub-account answers' messages. Their codes are the same on every Partner API (and
 * endpoint-local: 4 is "type required" on create, "not allowed" on credit), so only the words
 * are the vendor's.
 */
export interface SubaccountMessages {
  notAllowed: string;
  typeRequired: string;
  typeUnknown: string;
  emailRequired: string;
  isBuyerRequired: string;
  emailTaken: string;
  creditToAttribute: string;
  balanceZero: string;
  tokenRequired: string;
  notExists: string;
  creditRequired: string;
  tokenSubRequired: string;
  creditPositive: string;
  notExistsTypo: string;
  creditsShort: string;
}

/** The id-addressed suppression list a vendor manages (SMS Partner's STOP list, Mail Partner's unsubscribe list). */
export interface SuppressionListTable {
  list: SuppressionChannel;
  /** Mount point of `<path>/list`, `<path>/add` and `<path>/delete`. */
  path: string;
  /** The address parameter of `add` and the address key of each listed entry (`phoneNumber`, `email`). */
  field: string;
  /** Stored with an address added through the API. */
  reason: string;
  addressRequired: PartnerError;
  addressInvalid: PartnerError;
  duplicate: PartnerError;
  idRequired: PartnerError;
  /** `delete` of an id the account's list does not have. */
  idNotFound: VendorError;
}

/** How a cancel is answered: the success message, and the refusals (cutoff, already cancelled or sent). */
export interface CancelWords {
  cancelled: string;
  refusals: VendorOverrides;
}

/**
 * What makes one Partner vendor's answers its own. The endpoint factories (endpoints/) read
 * nothing else, so a Partner dialect is this table, its send endpoints and its renderers.
 */
export interface PartnerVendor {
  /** The default answer to each Relais error code; routes override some (RouteOptions.errors). */
  errors: VendorTable;
  /** A request without `apiKey` (code 1 on every Partner API). */
  missingKey: PartnerError;
  /** A path the dialect does not serve. */
  notFound: PartnerError;
  /** Local wall time as the vendor writes it in answers (lists, sub-accounts). */
  localTime(ms: number, zone: string): string;
  /** A recipient's state as the vendor's status word (the status endpoints). */
  statusWord(status: Recipient['status'], awaitingReceipt: boolean): string;
  /** The `/me` answer. */
  me(o: AccountOverview, core: Core): Record<string, unknown>;
  cancel: {
    /** No `messageId` given. */
    idRequired: PartnerError;
    /** The success message. */
    cancelled: string;
    /**
     * Another Partner vendor's words for a message of another channel: seed 002's Mail Partner
     * samples cancel mails on SMS Partner's host (spec/mail-partner.md §3).
     */
    byChannel?: Partial<Record<Channel, CancelWords>>;
  };
  bulkStatus: {
    /** Where the "every recipient of one message" endpoint answers (Mail Partner aliases `/message-status`). */
    paths: string[];
    idRequired: PartnerError;
    /** The answer's keys for the message id (a string) and the list (`message_id`/`StatutResponse_List` on SMS Partner). */
    idKey: string;
    listKey: string;
    /** One recipient of the list; `status` is statusWord's. */
    item(s: RecipientState, status: string): Record<string, unknown>;
  };
  suppressions: SuppressionListTable;
  subaccounts: {
    /** Domain of the address generated for a `simple` sub-account created without one. */
    generatedEmailDomain: string;
    messages: SubaccountMessages;
  };
}
