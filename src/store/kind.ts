export type StoreKind = 'sqlite' | 'postgres';

/**
 * The database a URL names, or undefined when it names none Relais opens. On its own so that
 * the configuration can check a URL without loading the database drivers.
 */
export function kindOf(url: string): StoreKind | undefined {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres';
  if (url.startsWith('sqlite:')) return 'sqlite';
  return undefined;
}
