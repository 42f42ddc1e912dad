import type { Core } from './context.js';
import { RelaisError } from './errors.js';
import type { UserKey } from './ports.js';
import type { User } from './types.js';

/** One user a Braze call names, with the properties its templates read for that user alone. */
export interface BrazeRecipient {
  key: UserKey;
  properties?: Record<string, unknown>;
}

/** Who a Braze call targets: named users, or every user of the account (`broadcast`). */
export interface BrazeAudience {
  recipients: BrazeRecipient[];
  broadcast: boolean;
  /** The most users a broadcast may reach (RELAIS_BRAZE_MAX_BROADCAST): one call's renders and inserts stay bounded. */
  maxBroadcast: number;
}

export interface Targeted {
  user: User;
  properties: Record<string, unknown> | undefined;
}

const PAGE = 1000;

/**
 * The users an audience resolves to now, once each (the first mention wins). A name no user has
 * resolves to nobody, without error: Braze drops unknown users silently, and so does Relais.
 */
export async function resolveAudience(core: Core, accountId: number, audience: BrazeAudience): Promise<Targeted[]> {
  const store = core.store.autocommit;
  const found: Targeted[] = [];
  if (audience.broadcast) {
    for (let afterId: number | undefined; ;) {
      const page = await store.listUsers(accountId, { limit: PAGE, afterId });
      found.push(...page.map((user) => ({ user, properties: undefined })));
      if (found.length > audience.maxBroadcast) {
        throw new RelaisError('invalid_request', `broadcast: the account has more than ${audience.maxBroadcast} users, the most one broadcast reaches on this server`, { field: 'broadcast' });
      }
      if (page.length < PAGE) break;
      afterId = page[page.length - 1]!.id;
    }
    return found;
  }
  const byExternalId = new Map((await store.findUsersByExternalIds(accountId, [...new Set(audience.recipients.flatMap((r) => ('externalId' in r.key ? [r.key.externalId] : [])))]))
    .map((u) => [u.externalId!, u]));
  const seen = new Set<number>();
  for (const r of audience.recipients) {
    const user = 'externalId' in r.key ? byExternalId.get(r.key.externalId) : await store.findUserByAlias(accountId, r.key.alias);
    if (!user || seen.has(user.id)) continue;
    seen.add(user.id);
    found.push({ user, properties: r.properties });
  }
  return found;
}
