import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { dialectSuite } from '../helpers/store.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// Resolved here because the child runs in a temporary directory, where `--import tsx` would not resolve.
const TSX = import.meta.resolve('tsx');
const FUTURE = '2031-03-01T09:00:00+01:00';
const CHILD_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

let dir: string;
let databaseUrl: string;

/** Runs `relais …` as a child process over this suite's database, from a directory with no .env. */
function relais(args: string[], env: Record<string, string> = {}): Promise<Run> {
  // The developer's own RELAIS_* settings must not leak into the child.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELAIS_') && k !== 'PORT' && k !== 'HOST'));
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: dir, env: { ...base, RELAIS_DATABASE_URL: databaseUrl, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  // A command that never exits fails its test instead of hanging the suite.
  const timer = setTimeout(() => {
    stderr += `\n(still running after ${CHILD_TIMEOUT_MS} ms: killed)`;
    child.kill('SIGKILL');
  }, CHILD_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

async function ok(args: string[]): Promise<any> {
  const r = await relais(args);
  assert.equal(r.code, 0, `relais ${args.join(' ')} failed: ${r.stderr}`);
  assert.ok(r.json !== undefined, `relais ${args.join(' ')} printed no JSON: ${r.stdout}`);
  return r.json;
}

/** Exit 1, exactly one line `relais: <code>: …` on stderr, no stack trace, nothing on stdout. */
async function fails(args: string[], code: string, env: Record<string, string> = {}): Promise<string> {
  const r = await relais(args, env);
  assert.equal(r.code, 1, `relais ${args.join(' ')} should fail; stdout: ${r.stdout}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], new RegExp(`^relais: ${code}: \\S`));
  assert.doesNotMatch(r.stderr, /\n\s+at |node:internal/);
  return lines[0];
}

const balanceOf = async (accountId: number): Promise<string> =>
  (await ok(['account', 'list'])).items.find((a: { id: number }) => a.id === accountId).balance;

const workDir = () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relais-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
};

// On both databases: every command but serve opens the store of RELAIS_DATABASE_URL itself.
dialectSuite('relais CLI', (ctx) => {
  workDir();
  before(() => {
    databaseUrl = ctx.url();
  });

  let accountId: number;

  test('account create prints the account with its API key and balance', async () => {
    const a = await ok(['account', 'create', '--name', 'acme', '--credits', '12.5']);
    assert.equal(a.name, 'acme');
    assert.equal(a.balance, '12.500');
    assert.equal(a.currency, 'EUR');
    assert.equal(a.parentId, null);
    assert.match(a.apiKey, /^[0-9A-Za-z]{32,}$/);
    accountId = a.id;

    const sub = await ok(['account', 'create', '--name', 'acme-sub', '--parent', String(accountId)]);
    assert.equal(sub.parentId, accountId);
    assert.equal(sub.balance, '0.000');
  });

  test('account topup adds credits and prints the account', async () => {
    const a = await ok(['account', 'topup', String(accountId), '--credits', '5']);
    assert.equal(a.id, accountId);
    assert.equal(a.balance, '17.500');
  });

  test('key create prints a new key with the scopes asked for', async () => {
    const k = await ok(['key', 'create', String(accountId), '--scope', 'messages:read', 'messages:write']);
    assert.equal(k.accountId, accountId);
    assert.deepEqual(k.scopes, ['messages:read', 'messages:write']);
    assert.match(k.apiKey, /^[0-9A-Za-z]{32,}$/);
  });

  test('key create with an unknown scope: one line naming it and the allowed scopes on stderr, exit 1, no key', async () => {
    const line = await fails(['key', 'create', String(accountId), '--scope', 'messages:read', 'mesages:write'], 'invalid_request');
    assert.match(line, /unknown scope "mesages:write"; allowed: messages:read, messages:write, account:read, account:write, suppressions:write, webhooks:write$/);
    assert.doesNotMatch(line, /"messages:read"/);
  });

  test('send, ls, dry-run cancel, cancel: the refund restores the balance', async () => {
    const m = await ok(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '0612345679',
      '--text', 'Hello', '--at', FUTURE, '--tag', 'promo', '--batch', 'b1']);
    assert.equal(m.status, 'scheduled');
    assert.equal(m.recipientCount, 2);
    assert.equal(m.price, '0.090');
    assert.equal(m.sendAt, '2031-03-01T08:00:00.000Z');
    assert.deepEqual([m.tag, m.batchId, m.content.text], ['promo', 'b1', 'Hello']);
    assert.equal(await balanceOf(accountId), '17.410');

    const listed = await ok(['ls', '--account', String(accountId), '--tag', 'promo', '--status', 'scheduled']);
    assert.deepEqual(listed.items.map((x: { id: number }) => x.id), [m.id]);
    assert.equal(listed.nextCursor, null);

    const dry = await ok(['cancel', '--account', String(accountId), '--batch', 'b1', '--dry-run']);
    assert.deepEqual(dry, { dryRun: true, messages: 1, recipients: 2, refund: '0.090', messageIds: [m.id] });

    const c = await ok(['cancel', '--account', String(accountId), String(m.id)]);
    assert.deepEqual(c, { id: m.id, status: 'cancelled', dryRun: false, messages: 1, recipients: 2, refund: '0.090', messageIds: [m.id] });
    assert.equal(await balanceOf(accountId), '17.500');
    await fails(['cancel', '--account', String(accountId), String(m.id)], 'already_cancelled');
  });

  test('bulk cancel by tag answers the count and the total refund', async () => {
    const args = ['send', '--account', String(accountId), '--channel', 'email', '--to', 'a@example.com', 'b@example.com', '--subject', 'Hi', '--text', 'x', '--at', FUTURE, '--tag', 'bulk'];
    const [m1, m2] = [await ok(args), await ok(args)];
    const r = await ok(['cancel', '--account', String(accountId), '--tag', 'bulk']);
    assert.deepEqual(r, { dryRun: false, messages: 2, recipients: 4, refund: '0.008', messageIds: [m1.id, m2.id] });
  });

  test('a message due now waits for the dispatcher: nothing in the outbox, and a cancel still wins until the claim', async () => {
    const m = await ok(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '--text', 'now']);
    assert.equal(m.status, 'scheduled');
    assert.deepEqual(await ok(['outbox', '--account', String(accountId), '--message', String(m.id), '--limit', '10']), { items: [], nextCursor: null });
    const c = await ok(['cancel', '--account', String(accountId), String(m.id)]);
    assert.deepEqual([c.messages, c.recipients, c.refund], [1, 1, '0.045']);
  });

  test('bad arguments exit 1 with one line and write nothing', async () => {
    assert.match(await fails(['account', 'topup', 'abc', '--credits', '5'], 'invalid_request'), /accountId/);
    await fails(['account', 'topup', String(accountId)], 'invalid_request');
    await fails(['account', 'create', '--name', 'x', '--credits', '1.2345'], 'invalid_request');
    await fails(['account', 'topup', '999', '--credits', '5'], 'not_found');
    await fails(['send', '--account', String(accountId), '--channel', 'fax', '--to', '+33612345678', '--text', 'x'], 'invalid_request');
    await fails(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '12', '--text', 'x'], 'invalid_recipient');
    await fails(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '--text', 'x', '--subject', 's'], 'invalid_request');
    await fails(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '--text', 'x', '--at', 'tomorrow'], 'invalid_date');
    await fails(['ls', '--account', String(accountId), '--limit', '0'], 'invalid_request');
    await fails(['cancel', '--account', String(accountId)], 'invalid_request');
    await fails(['nosuchcommand'], 'invalid_request');
    // Every message was cancelled and refunded: the failures wrote nothing.
    assert.equal(await balanceOf(accountId), '17.500');
  });

  test('an invalid RELAIS_LOG_LEVEL exits 1 naming the variable', async () => {
    const line = await fails(['account', 'list'], 'configuration', { RELAIS_LOG_LEVEL: 'loud' });
    assert.match(line, /RELAIS_LOG_LEVEL/);
  });
});

describe('relais CLI help', () => {
  workDir();
  before(() => {
    databaseUrl = `sqlite:${join(dir, 'relais.db')}`;
  });

  test('--help lists every command', async () => {
    const [top, account, key] = await Promise.all([relais(['--help']), relais(['account', '--help']), relais(['key', '--help'])]);
    for (const r of [top, account, key]) assert.equal(r.code, 0, r.stderr);
    for (const cmd of ['serve', 'migrate', 'account', 'key', 'send', 'ls', 'cancel', 'outbox']) {
      assert.match(top.stdout, new RegExp(`^  ${cmd}\\b.*\\S`, 'm'), `relais --help lacks ${cmd}`);
    }
    for (const sub of ['create', 'list', 'topup']) assert.match(account.stdout, new RegExp(`^  ${sub}\\b.*\\S`, 'm'));
    assert.match(key.stdout, /^  create\b.*\S/m);
  });

  test('every command, argument and option has a description', () => {
    const walk = (cmd: Command, path: string[]): void => {
      for (const sub of cmd.commands) {
        const name = [...path, sub.name()].join(' ');
        assert.ok(sub.description().trim(), `relais ${name} has no description`);
        for (const a of sub.registeredArguments) assert.ok(a.description.trim(), `relais ${name}: argument ${a.name()} has no description`);
        for (const o of sub.options) assert.ok(o.description.trim(), `relais ${name}: option ${o.flags} has no description`);
        walk(sub, [...path, sub.name()]);
      }
    };
    const program = buildProgram();
    assert.deepEqual(program.commands.map((c) => c.name()), ['serve', 'migrate', 'account', 'key', 'send', 'ls', 'cancel', 'outbox']);
    walk(program, []);
  });
});
