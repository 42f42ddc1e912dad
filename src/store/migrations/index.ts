import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from '../schema.js';
import type { StoreKind } from '../kind.js';
import { init } from './0001-init.js';
import { partner } from './0002-partner.js';
import { leanIndexes } from './0003-lean-indexes.js';
import { statusFreeIndexes } from './0004-status-free-indexes.js';
import { settings } from './0005-settings.js';
import { providerIds } from './0006-provider-ids.js';
import { legalWindow } from './0007-legal-window.js';
import { audioFiles } from './0008-audio-files.js';
import { brazeCampaigns } from './0009-braze-campaigns.js';
import { brazeUsers } from './0010-braze-users.js';
import { brazeSchedules } from './0011-braze-schedules.js';
import { webhookEndpoints } from './0012-webhook-endpoints.js';
import { keptReceipts } from './0013-kept-receipts.js';
import { providerIdTransport } from './0014-provider-id-transport.js';
import { sendsRecorded } from './0015-sends-recorded.js';

/** Forward-only; the same list on every dialect. Names sort in the order they apply. */
export const migrationProvider = (kind: StoreKind): MigrationProvider => ({
  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001-init': init(kind), '0002-partner': partner(kind), '0003-lean-indexes': leanIndexes, '0004-status-free-indexes': statusFreeIndexes,
      '0005-settings': settings, '0006-provider-ids': providerIds, '0007-legal-window': legalWindow,
      '0008-audio-files': audioFiles(kind), '0009-braze-campaigns': brazeCampaigns(kind), '0010-braze-users': brazeUsers(kind),
      '0011-braze-schedules': brazeSchedules, '0012-webhook-endpoints': webhookEndpoints(kind), '0013-kept-receipts': keptReceipts,
      '0014-provider-id-transport': providerIdTransport, '0015-sends-recorded': sendsRecorded };
  },
});

/** Applies pending migrations; returns the names applied. */
export async function migrateToLatest(db: Kysely<Database>, kind: StoreKind): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider(kind) }).migrateToLatest();
  if (error) throw new Error('database migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
