import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Store } from './ports.js';

/**
 * Secrets Relais must show again (the sub-account keys SMS Partner's list returns) are stored
 * sealed: AES-256-GCM under RELAIS_SECRET_KEY, bound to where they are stored (the additional
 * data), so that a value copied to another row does not open there. A sealed value starts with
 * MARK; a value without it is a clear one written before encryption existed (DECISIONS §11).
 */
const MARK = 'enc1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  /** `null`: no key was given (one-shot CLI commands); sealing or opening then fails loudly. */
  constructor(private readonly key: Buffer | null) {
    if (key && key.length !== 32) throw new Error('the secret key must be 32 bytes');
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.required(), iv).setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return MARK + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The clear text of a sealed value (a clear legacy value as it is); throws on a wrong key or a tampered value. */
  open(stored: string, context: string): string {
    if (!isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(MARK.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.required(), raw.subarray(0, IV_BYTES))
      .setAAD(Buffer.from(context)).setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  /** A 32-byte key for one other purpose (signing links), derived so that neither reveals the other. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.required(), Buffer.alloc(0), `relais ${purpose}`, 32));
  }

  private required(): Buffer {
    if (!this.key) throw new Error('no secret key was configured for this process');
    return this.key;
  }
}

const isSealed = (stored: string): boolean => stored.startsWith(MARK);

/** The additional data of a sub-account key: its own row. */
export const subaccountKeyContext = (accountId: number): string => `account_profiles.api_key:${accountId}`;

const CHECK = { name: 'secret_key_check', plain: 'relais', context: 'settings.secret_key_check' } as const;

export class SecretKeyMismatch extends Error {
  override readonly name = 'SecretKeyMismatch';
}

/**
 * Makes this database and this key belong together, at start-up. The first start stores a value
 * sealed with the key; every later start (every node) must open it, or stops before serving
 * anything: a node with another key would otherwise write keys no other node can read and list
 * garbage. Then seals the keys still stored in clear; returns how many.
 */
export async function adoptSecretKey(store: Store, box: SecretBox): Promise<number> {
  return store.transaction(async (tx) => {
    const check = await tx.claimSetting(CHECK.name, box.seal(CHECK.plain, CHECK.context));
    let opened: string | undefined;
    try {
      opened = box.open(check, CHECK.context);
    } catch {
      opened = undefined;
    }
    if (opened !== CHECK.plain) {
      throw new SecretKeyMismatch('the secret key does not match this database: its secrets were sealed with another key. Set RELAIS_SECRET_KEY (or the data directory\'s secret.key) to the key used before, the same on every node');
    }
    const clear = (await tx.listSubaccountKeys()).filter((k) => !isSealed(k.apiKey));
    for (const k of clear) await tx.saveProfile({ accountId: k.accountId, apiKey: box.seal(k.apiKey, subaccountKeyContext(k.accountId)) });
    return clear.length;
  });
}
