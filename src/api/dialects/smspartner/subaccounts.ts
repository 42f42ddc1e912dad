import { createSubaccount, listSubaccounts, moveCredit, removeSubaccount, requireSubaccountOwner, type CreditDirection } from '../../../core/subaccounts.js';
import { SUBACCOUNT_TYPES, type SubaccountType } from '../../../core/types.js';
import { partnerAuth } from '../partner/auth.js';
import { partnerError, type VendorOverrides } from '../partner/errors.js';
import { toDecimal, type Params } from '../partner/params.js';
import { partnerRoute } from '../partner/scope.js';
import { MSG, sp } from './errors.js';
import type { SmsPartnerApp, SmsPartnerOptions } from './index.js';
import { balanceString, euros, localTimestamp, toCredits } from './render.js';

/** Sub-accounts (spec §13). Their codes are endpoint-local: 4 means "type required" here, "not allowed" there. */
const SUB = {
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
} as const;

const PAGE = 20;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 255) : null);

async function create(opts: SmsPartnerOptions, params: Params): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'account:write');
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
    title: text(p.title), firstname: text(p.firstname), lastname: text(p.lastname), generatedEmailDomain: 'smspartner.fr',
  });
  const parentEmail = r.parent.profile.email ?? r.parent.account.name;
  const subEmail = r.subaccount.profile.email!;
  return {
    success: true, code: 200, subaccount: { email: subEmail, token: r.subaccount.profile.token },
    sendConfirmMailTo: type === 'advanced' ? subEmail : parentEmail, parent_email: parentEmail,
  };
}

async function list(opts: SmsPartnerOptions, params: Params): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'account:write');
  const requested = params.int('page');
  const page = requested !== undefined && Number.isSafeInteger(requested) && requested >= 1 ? requested : 1;
  const { total, items } = await listSubaccounts(opts.core, account.id, { limit: PAGE, offset: (page - 1) * PAGE });
  return {
    success: true, code: 200, total, nb_per_page: PAGE, page,
    data: items.map(({ account: a, profile }) => ({
      id: a.id, email: profile.email, type: profile.subType, token: profile.token, apiKey: profile.apiKey,
      createdAt: localTimestamp(a.createdAt, opts.timezone), credits: { balance: balanceString(a.balance), currency: a.currency },
    })),
  };
}

async function remove(opts: SmsPartnerOptions, params: Params): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'account:write');
  await requireSubaccountOwner(opts.core, account.id);
  const token = params.str('token')?.trim() || params.str('tokenSubaccount')?.trim();
  if (!token) throw partnerError(400, 1, SUB.tokenRequired);
  await removeSubaccount(opts.core, account.id, token);
  return { success: true, code: 200 };
}

async function credit(opts: SmsPartnerOptions, params: Params, direction: CreditDirection): Promise<Record<string, unknown>> {
  const { account } = await partnerAuth(opts.core, params, sp(1, MSG.keyRequired), 'account:write');
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

const denied = (code: number): VendorOverrides['forbidden'] => ({ status: 403, code, message: code === 40 ? MSG.accessDenied : SUB.notAllowed });

export async function subaccountRoutes(app: SmsPartnerApp, opts: SmsPartnerOptions): Promise<void> {
  partnerRoute(app, ['POST', 'GET'], '/subaccount/create', ({ params }) => create(opts, params), {
    errors: {
      forbidden: denied(2), conflict: { status: 409, code: 7, message: SUB.emailTaken },
      insufficient_credits: { status: 402, code: 9, message: SUB.balanceZero }, invalid_recipient: { status: 400, code: 6, message: SUB.emailRequired },
    },
  });
  partnerRoute(app, ['GET', 'POST'], '/subaccount/list', ({ params }) => list(opts, params), { errors: { forbidden: denied(40) } });
  partnerRoute(app, ['DELETE', 'POST', 'GET'], '/subaccount/remove', ({ params }) => remove(opts, params), {
    errors: { forbidden: denied(40), not_found: { status: 404, code: 404, message: SUB.notExists } },
  });
  for (const [path, direction] of [['/subaccount/credit/add', 'to_subaccount'], ['/subaccount/credit/remove', 'to_parent']] as const) {
    partnerRoute(app, ['POST', 'GET'], path, ({ params }) => credit(opts, params, direction), {
      errors: { forbidden: denied(4), not_found: { status: 404, code: 7, message: SUB.notExistsTypo } },
    });
  }
}
