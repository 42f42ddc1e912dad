import { createSubaccount, listSubaccounts, moveCredit, removeSubaccount, requireSubaccountOwner, type CreditDirection } from '../../../../core/subaccounts.js';
import { SUBACCOUNT_TYPES, type SubaccountType } from '../../../../core/types.js';
import { partnerError } from '../errors.js';
import { toDecimal } from '../params.js';
import type { AuthedContext, PartnerRouter } from '../scope.js';
import { balanceString, euros, toCredits } from '../values.js';
import type { PartnerEndpointOptions, PartnerVendor, SubaccountMessages } from '../vendor.js';

/**
 * Sub-accounts (spec/sms-partner.md §13; Mail Partner's are the same, spec/mail-partner.md §7).
 * Their codes are endpoint-local: 4 means "type required" here, "not allowed" there.
 */

/** SMS Partner's words, which Mail Partner's pages copy (typos included) but for `creditsShort`. */
export const PARTNER_SUBACCOUNT_MESSAGES: SubaccountMessages = {
  notAllowed: 'Vous n’avez pas l’authorisation',
  typeRequired: 'Le type est requis (simple ou advanced)',
  typeUnknown: 'Le type de sous-compte n’existe pas (simple ou advanced)',
  emailRequired: 'L’email est requis',
  isBuyerRequired: 'isBuyer est requis',
  emailTaken: 'Un compte existe déjà avec cet email',
  creditToAttribute: 'creditToAttribute doit être supérieurr à 0',
  balanceZero: 'La balance doit être supérieur à 0',
  tokenRequired: 'token est requis',
  notExists: 'Le sous-compte n’existe pas',
  creditRequired: 'Le crédit est requis',
  tokenSubRequired: 'L’identifiant du sous-compte est requis',
  creditPositive: 'Le crédit à attribuer doit être supérieur à 0',
  notExistsTypo: 'Le sous-compte n’exsite pas',
  creditsShort: 'Crédits insufisant',
};

const PAGE = 20;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 255) : null);

async function create(vendor: PartnerVendor, opts: PartnerEndpointOptions, { auth: { account }, params }: AuthedContext): Promise<Record<string, unknown>> {
  const SUB = vendor.subaccounts.messages;
  await requireSubaccountOwner(opts.core, account.id);
  const type = params.str('type')?.trim();
  if (!type) throw partnerError(400, 4, SUB.typeRequired);
  if (!SUBACCOUNT_TYPES.includes(type as SubaccountType)) throw partnerError(400, 5, SUB.typeUnknown);
  const p = params.object('parameters') ?? {};
  const email = text(p.email);
  if ((type === 'advanced' && !email) || (email && !EMAIL.test(email))) throw partnerError(400, 6, SUB.emailRequired);
  // The Go SDK omits isBuyer when 0, so absent means 0; only a present, unreadable value is refused.
  const isBuyer = p.isBuyer;
  if (isBuyer !== undefined && isBuyer !== null && isBuyer !== '' && ![0, 1, '0', '1', true, false, 'true', 'false'].includes(isBuyer as never)) {
    throw partnerError(400, 3, SUB.isBuyerRequired);
  }
  const credit = toDecimal(p.creditToAttribute) ?? 0;
  if (Number.isNaN(credit) || credit < 0) throw partnerError(400, 8, SUB.creditToAttribute);
  const r = await createSubaccount(opts.core, account.id, {
    type: type as SubaccountType, email, isBuyer: [1, '1', true, 'true'].includes(isBuyer as never), credit: toCredits(credit),
    title: text(p.title), firstname: text(p.firstname), lastname: text(p.lastname), generatedEmailDomain: vendor.subaccounts.generatedEmailDomain,
  });
  const parentEmail = r.parent.profile.email ?? r.parent.account.name;
  const subEmail = r.subaccount.profile.email!;
  return {
    success: true, code: 200, subaccount: { email: subEmail, token: r.subaccount.profile.token },
    sendConfirmMailTo: type === 'advanced' ? subEmail : parentEmail, parent_email: parentEmail,
  };
}

async function list(vendor: PartnerVendor, opts: PartnerEndpointOptions, { auth: { account }, params }: AuthedContext): Promise<Record<string, unknown>> {
  const requested = params.int('page');
  const page = requested !== undefined && Number.isSafeInteger(requested) && requested >= 1 ? requested : 1;
  const { total, items } = await listSubaccounts(opts.core, account.id, { limit: PAGE, offset: (page - 1) * PAGE });
  return {
    success: true, code: 200, total, nb_per_page: PAGE, page,
    data: items.map(({ account: a, profile }) => ({
      id: a.id, email: profile.email, type: profile.subType, token: profile.token, apiKey: profile.apiKey,
      createdAt: vendor.localTime(a.createdAt, opts.timezone), credits: { balance: balanceString(a.balance), currency: a.currency },
    })),
  };
}

async function remove(vendor: PartnerVendor, opts: PartnerEndpointOptions, { auth: { account }, params }: AuthedContext): Promise<Record<string, unknown>> {
  await requireSubaccountOwner(opts.core, account.id);
  const token = params.str('token')?.trim() || params.str('tokenSubaccount')?.trim();
  if (!token) throw partnerError(400, 1, vendor.subaccounts.messages.tokenRequired);
  await removeSubaccount(opts.core, account.id, token);
  return { success: true, code: 200 };
}

async function credit(vendor: PartnerVendor, opts: PartnerEndpointOptions, { auth: { account }, params }: AuthedContext, direction: CreditDirection): Promise<Record<string, unknown>> {
  const SUB = vendor.subaccounts.messages;
  await requireSubaccountOwner(opts.core, account.id);
  const amount = toDecimal(params.get('credit'));
  if (amount === undefined) throw partnerError(400, 2, SUB.creditRequired);
  const token = params.str('tokenSubaccount')?.trim();
  if (!token) throw partnerError(400, 3, SUB.tokenSubRequired);
  if (Number.isNaN(amount) || toCredits(amount) <= 0) throw partnerError(400, 5, SUB.creditPositive);
  try {
    const r = await moveCredit(opts.core, account.id, token, toCredits(amount), direction);
    // The Go SDK reads the parent's balance from `total`, the doc from `credit`: both, same value.
    return { success: true, code: 200, credit: euros(r.parent.balance), subaccountCredit: euros(r.subaccount.balance), currency: r.parent.currency, total: euros(r.parent.balance) };
  } catch (err) {
    const e = err as { code?: string; details?: Record<string, unknown> };
    if (e.code === 'insufficient_credits') {
      throw Number(e.details?.balance ?? 0) <= 0 ? partnerError(402, 6, SUB.balanceZero) : partnerError(402, 8, SUB.creditsShort);
    }
    throw err;
  }
}

/** The sub-account endpoints; a key without `account:write` (or a parent without sub-accounts) gets the endpoint's "not allowed". */
export function subaccountEndpoints(route: PartnerRouter, vendor: PartnerVendor, opts: PartnerEndpointOptions): void {
  const SUB = vendor.subaccounts.messages;
  const notAllowed = (code: number) => ({ status: 403, code, message: SUB.notAllowed });
  route(['POST', 'GET'], '/subaccount/create', (ctx) => create(vendor, opts, ctx), {
    scope: 'account:write',
    errors: {
      forbidden: notAllowed(2), conflict: { status: 409, code: 7, message: SUB.emailTaken },
      insufficient_credits: { status: 402, code: 9, message: SUB.balanceZero }, invalid_recipient: { status: 400, code: 6, message: SUB.emailRequired },
    },
  });
  route(['GET', 'POST'], '/subaccount/list', (ctx) => list(vendor, opts, ctx), { scope: 'account:write' });
  route(['DELETE', 'POST', 'GET'], '/subaccount/remove', (ctx) => remove(vendor, opts, ctx), {
    scope: 'account:write', errors: { not_found: { status: 404, code: 404, message: SUB.notExists } },
  });
  for (const [path, direction] of [['/subaccount/credit/add', 'to_subaccount'], ['/subaccount/credit/remove', 'to_parent']] as const) {
    route(['POST', 'GET'], path, (ctx) => credit(vendor, opts, ctx, direction), {
      scope: 'account:write', errors: { forbidden: notAllowed(4), not_found: { status: 404, code: 7, message: SUB.notExistsTypo } },
    });
  }
}
