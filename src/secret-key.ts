import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, SECRET_KEY_HEX, type Config } from './config.js';
import type { Store } from './core/ports.js';
import { adoptSecretKey, SecretBox, SecretKeyMismatch } from './core/secrets.js';

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const FILE = 'secret.key';

/**
 * RELAIS_SECRET_KEY, or the key in `<RELAIS_DATA_DIR>/secret.key`, made on the first start
 * (32 random bytes as 64 hexadecimal characters, the format RELAIS_SECRET_KEY takes, mode 0600).
 */
async function loadSecretKey(config: Config, log: Log): Promise<Buffer> {
  if (config.secretKey) return config.secretKey;
  const file = join(config.db.dataDir, FILE);
  let key = await readKeyFile(file);
  if (!key) {
    await mkdir(config.db.dataDir, { recursive: true });
    // Written aside, then linked into place: link fails if the file exists, so two processes
    // starting at once on one data directory end up with the same key, never half a file.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await link(tmp, file).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
    } finally {
      await unlink(tmp);
    }
    key = (await readKeyFile(file))!;
  }
  log.warn({ file }, 'RELAIS_SECRET_KEY is unset: secrets at rest are sealed with the key in this file. A multi-node deployment must set RELAIS_SECRET_KEY, the same key on every node');
  return key;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the secret key file ${file}: ${(err as Error).message}`);
  }
  if (!SECRET_KEY_HEX.test(text)) throw new ConfigError(`the secret key file ${file} must hold 64 hexadecimal characters (32 bytes)`);
  return Buffer.from(text, 'hex');
}

/** The server's secret box: the key resolved, checked against the database, clear legacy keys sealed. */
export async function openSecrets(config: Config, store: Store, log: Log): Promise<SecretBox> {
  const box = new SecretBox(await loadSecretKey(config, log));
  try {
    const sealed = await adoptSecretKey(store, box);
    if (sealed > 0) log.info({ sealed }, 'sub-account keys stored in clear are now sealed with the secret key');
  } catch (err) {
    if (err instanceof SecretKeyMismatch) throw new ConfigError(err.message);
    throw err;
  }
  return box;
}
