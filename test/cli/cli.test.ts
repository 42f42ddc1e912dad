import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { bundleCli } from '../helpers/cli-bundle.js';
import { dialectSuite } from '../helpers/store.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const FUTURE = '2031-03-01T09:00:00+01:00';
const CHILD_TIMEOUT_MS = 60_000;
const COMMANDS = ['serve', 'migrate', 'account', 'key', 'send', 'ls', 'show', 'cancel', 'outbox', 'suppressions', 'campaign', 'canvas'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

let dir: string;
let databaseUrl: string;
// The CLI bundled once for the file (esbuild, ~1 s): some 170 commands below each start a process.
let cli: Awaited<ReturnType<typeof bundleCli>>;
before(async () => {
  cli = await bundleCli();
});
after(() => cli?.remove());

/** Runs `relais …` as a child process over this suite's database, from a directory with no .env. */
function relais(args: string[], env: Record<string, string> = {}): Promise<Run> {
  // The developer's own RELAIS_* settings must not leak into the child.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELAIS_') && k !== 'PORT' && k !== 'HOST'));
  const child = spawn(process.execPath, [cli.entry, ...args], {
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
    const k = await ok(['key', 'create', String(accountId), '--scope', 'messages:read', 'messages:write', 'users.track']);
    assert.equal(k.accountId, accountId);
    assert.deepEqual(k.scopes, ['messages:read', 'messages:write', 'users.track']);
    assert.match(k.apiKey, /^[0-9A-Za-z]{32,}$/);
  });

  test('key create with an unknown scope: one line naming it and the allowed scopes on stderr, exit 1, no key', async () => {
    const line = await fails(['key', 'create', String(accountId), '--scope', 'messages:read', 'mesages:write'], 'invalid_request');
    assert.ok(line.endsWith('unknown scope "mesages:write"; allowed: messages:read, messages:write, account:read, account:write, suppressions:write, webhooks:write, campaigns:read, campaigns:write, users:read, users:write, campaigns.trigger.schedule.create, campaigns.trigger.schedule.update, campaigns.trigger.schedule.delete, canvas.trigger.schedule.create, canvas.trigger.schedule.update, canvas.trigger.schedule.delete, messages.schedule.create, messages.schedule.update, messages.schedule.delete, messages.schedule_broadcasts, campaigns.trigger.send, messages.send, users.track'), line);
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

  test('send a voice text: spoken as the API speaks it (French, normal speed, the estimated duration without espeak-ng)', async () => {
    const m = await ok(['send', '--account', String(accountId), '--channel', 'voice', '--to', '+33612345678', '--text', 'Bonjour', '--at', FUTURE]);
    assert.deepEqual(m.content, { text: 'Bonjour', audioUrl: null, sender: null, lang: 'fr', rate: 1, durationMs: 400 });
    await ok(['cancel', '--account', String(accountId), String(m.id)]);
  });

  test('bulk cancel by tag answers the count and the total refund', async () => {
    const args = ['send', '--account', String(accountId), '--channel', 'email', '--to', 'a@example.com', 'b@example.com', '--subject', 'Hi', '--text', 'x', '--sender', 'shop@example.com', '--at', FUTURE, '--tag', 'bulk'];
    const [m1, m2] = [await ok(args), await ok(args)];
    const r = await ok(['cancel', '--account', String(accountId), '--tag', 'bulk']);
    assert.deepEqual(r, { dryRun: false, messages: 2, recipients: 4, refund: '0.008', messageIds: [m1.id, m2.id] });
  });

  test('account settings --legal-window on: an e-mail for a Sunday is stored for Monday 08:00 Paris; off again', async () => {
    const on = await ok(['account', 'settings', String(accountId), '--legal-window', 'on']);
    assert.deepEqual([on.id, on.balance, on.subaccountsEnabled, on.legalWindow], [accountId, '17.500', false, true]);
    // Sunday 2 March 2031, noon in Paris; Monday 3 March 08:00 CET is 07:00Z.
    const m = await ok(['send', '--account', String(accountId), '--channel', 'email', '--to', 'a@example.com', '--subject', 'Hi', '--text', 'x', '--sender', 'shop@example.com', '--at', '2031-03-02T12:00:00+01:00']);
    assert.equal(m.sendAt, '2031-03-03T07:00:00.000Z');
    await ok(['cancel', '--account', String(accountId), String(m.id)]);
    assert.equal((await ok(['account', 'settings', String(accountId), '--legal-window', 'off'])).legalWindow, false);
  });

  test('a message due now waits for the dispatcher: nothing in the outbox, and a cancel still wins until the claim', async () => {
    const m = await ok(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '--text', 'now']);
    assert.equal(m.status, 'scheduled');
    assert.deepEqual(await ok(['outbox', '--account', String(accountId), '--message', String(m.id), '--limit', '10']), { items: [], nextCursor: null });
    const c = await ok(['cancel', '--account', String(accountId), String(m.id)]);
    assert.deepEqual([c.messages, c.recipients, c.refund], [1, 1, '0.045']);
  });

  test('show prints the message with its recipients and events, as GET /api/v1/messages/{id}', async () => {
    const m = await ok(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '0612345679', '--text', 'show me', '--at', FUTURE]);
    const shown = await ok(['show', String(m.id)]);
    const { recipients, events, recipientsNextCursor, eventsNextCursor, ...message } = shown;
    assert.deepEqual(message, m);
    assert.deepEqual([recipientsNextCursor, eventsNextCursor], [null, null]);
    assert.deepEqual(recipients.map((r: { address: string; status: string; price: string }) => [r.address, r.status, r.price]),
      [['+33612345678', 'pending', '0.045'], ['+33612345679', 'pending', '0.045']]);
    assert.deepEqual(events.map((e: { type: string }) => e.type), ['scheduled']);
    assert.deepEqual(await ok(['show', String(m.id), '--account', String(accountId)]), shown);

    const other = await ok(['account', 'create', '--name', 'other']);
    await fails(['show', String(m.id), '--account', String(other.id)], 'not_found');
    await fails(['show', '999999'], 'not_found');
    await ok(['cancel', '--account', String(accountId), String(m.id)]);
    assert.deepEqual((await ok(['show', String(m.id)])).events.map((e: { type: string }) => e.type), ['scheduled', 'cancelled']);
  });

  test('suppressions add, ls, rm: adding cancels and refunds the address in scheduled messages', async () => {
    const m = await ok(['send', '--account', String(accountId), '--channel', 'sms', '--to', '+33612345678', '0612345679', '--text', 'stop?', '--at', FUTURE]);
    assert.equal(await balanceOf(accountId), '17.410');

    const added = await ok(['suppressions', 'add', 'sms', '0612345679', '--account', String(accountId), '--reason', 'STOP']);
    assert.deepEqual({ ...added, createdAt: typeof added.createdAt },
      { channel: 'sms', address: '+33612345679', reason: 'STOP', createdAt: 'string', added: true, cancelledRecipients: 1, refund: '0.045' });
    assert.equal(await balanceOf(accountId), '17.455');
    assert.deepEqual((await ok(['show', String(m.id)])).recipients.map((r: { status: string }) => r.status), ['pending', 'cancelled']);

    const listed = await ok(['suppressions', 'ls', '--account', String(accountId)]);
    assert.deepEqual(listed.items.map((x: { channel: string; address: string }) => [x.channel, x.address]), [['sms', '+33612345679']]);
    assert.deepEqual(await ok(['suppressions', 'ls', 'email', '--account', String(accountId)]), { items: [] });

    assert.deepEqual(await ok(['suppressions', 'rm', 'sms', '+33612345679', '--account', String(accountId)]),
      { channel: 'sms', address: '+33612345679', removed: true });
    assert.deepEqual(await ok(['suppressions', 'ls', 'sms', '--account', String(accountId)]), { items: [] });
    await fails(['suppressions', 'rm', 'sms', '+33612345679', '--account', String(accountId)], 'not_found');
    await fails(['suppressions', 'add', 'fax', '+33612345679', '--account', String(accountId)], 'invalid_request');
    await fails(['suppressions', 'add', 'sms', '+33612345679'], 'invalid_request');
    await fails(['suppressions', 'ls', '--account', '999999'], 'not_found');

    await ok(['cancel', '--account', String(accountId), String(m.id)]);
    assert.equal(await balanceOf(accountId), '17.500');
  });

  test('campaign create, ls, show, rm; canvas apart; a bad template or another account refused with one line', async () => {
    const html = join(dir, 'body.html');
    await writeFile(html, '<p>Hi {{${first_name} | default: "there"}}</p>');
    const c = await ok(['campaign', 'create', '--account', String(accountId), '--name', 'Spring', '--tag', 'promo', 'q2',
      '--sms-body', 'Hi {{${first_name}}}', '--sms-sender', 'ACME', '--email-subject', 'Hello', '--email-body-file', html, '--email-from', 'Shop <shop@example.com>']);
    assert.deepEqual({ ...c, id: typeof c.id, createdAt: typeof c.createdAt, updatedAt: typeof c.updatedAt }, {
      id: 'string', name: 'Spring', tags: ['promo', 'q2'], createdAt: 'string', updatedAt: 'string',
      messages: { sms: { body: 'Hi {{${first_name}}}', sender: 'ACME' }, email: { subject: 'Hello', body: '<p>Hi {{${first_name} | default: "there"}}</p>', from: 'Shop <shop@example.com>' } },
    });
    assert.deepEqual(await ok(['campaign', 'show', c.id, '--account', String(accountId)]), c);
    assert.deepEqual(await ok(['campaign', 'ls', '--account', String(accountId)]), { items: [c], nextCursor: null });
    assert.deepEqual(await ok(['canvas', 'ls', '--account', String(accountId)]), { items: [], nextCursor: null });
    const other = await ok(['account', 'create', '--name', 'other']);
    await fails(['campaign', 'show', c.id, '--account', String(other.id)], 'not_found');
    await fails(['canvas', 'show', c.id, '--account', String(accountId)], 'not_found');
    assert.match(await fails(['canvas', 'create', '--account', String(accountId), '--name', 'x', '--sms-body', '{{${first_name}'], 'invalid_request'), /messages\.sms\.body: the template does not parse/);
    assert.match(await fails(['canvas', 'create', '--account', String(accountId), '--name', 'x', '--email-subject', 's'], 'invalid_request'), /messages\.email\.body must not be empty/);
    assert.match(await fails(['canvas', 'create', '--account', String(accountId), '--name', 'x'], 'invalid_request'), /at least one channel/);
    await fails(['canvas', 'create', '--account', String(accountId), '--name', 'x', '--email-subject', 's', '--email-body-file', join(dir, 'missing.html')], 'invalid_request');
    assert.deepEqual(await ok(['canvas', 'ls', '--account', String(accountId)]), { items: [], nextCursor: null });
    assert.deepEqual(await ok(['campaign', 'rm', c.id, '--account', String(accountId)]), { id: c.id, deleted: true });
    await fails(['campaign', 'rm', c.id, '--account', String(accountId)], 'not_found');
  });

  test('migrate prints JSON: what it applied (nothing on a migrated database)', async () => {
    assert.deepEqual(await ok(['migrate']), { applied: [] });
  });

  test('bad arguments exit 1 with one line and write nothing', async () => {
    assert.match(await fails(['account', 'topup', 'abc', '--credits', '5'], 'invalid_request'), /accountId/);
    await fails(['account', 'topup', String(accountId)], 'invalid_request');
    await fails(['account', 'create', '--name', 'x', '--credits', '1.2345'], 'invalid_request');
    await fails(['account', 'topup', '999', '--credits', '5'], 'not_found');
    await fails(['account', 'settings', String(accountId), '--legal-window', 'yes'], 'invalid_request');
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

  test('a database or a user that does not exist on the server: exit 1 naming it (serve, migrate)', { skip: ctx.dialect !== 'postgres' }, async () => {
    const missing = ctx.url().replace(/\/[^/?]+(?=\?|$)/, '/relais_no_such_database');
    for (const args of [['serve'], ['migrate']]) {
      assert.match(await fails(args, 'unavailable', { RELAIS_DATABASE_URL: missing, PORT: '0' }), /database "relais_no_such_database" does not exist/);
    }
    // The test server trusts every local user, so the authentication failure it can show is an unknown role.
    const stranger = ctx.url().replace(/\/\/[^@/]+@/, '//relais_no_such_role@');
    assert.match(await fails(['migrate'], 'unavailable', { RELAIS_DATABASE_URL: stranger }), /cannot open the database: role "relais_no_such_role" does not exist/);
  });

  test('an invalid RELAIS_LOG_LEVEL exits 1 naming the variable', async () => {
    const line = await fails(['account', 'list'], 'configuration', { RELAIS_LOG_LEVEL: 'loud' });
    assert.match(line, /RELAIS_LOG_LEVEL/);
  });
});

describe('relais CLI: a PostgreSQL server that is not there', () => {
  workDir();
  before(() => {
    databaseUrl = 'postgres://postgres@127.0.0.1:1/x';
  });

  test('serve, migrate and a command exit 1 with "connection refused at host:port", no stack trace', async () => {
    for (const args of [['serve'], ['migrate'], ['account', 'list']]) {
      assert.match(await fails(args, 'unavailable', { PORT: '0' }), /^relais: unavailable: cannot open the database: connection refused at 127\.0\.0\.1:1$/);
    }
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
    for (const cmd of COMMANDS) {
      assert.match(top.stdout, new RegExp(`^  ${cmd}\\b.*\\S`, 'm'), `relais --help lacks ${cmd}`);
    }
    for (const sub of ['create', 'list', 'topup', 'settings']) assert.match(account.stdout, new RegExp(`^  ${sub}\\b.*\\S`, 'm'));
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
    assert.deepEqual(program.commands.map((c) => c.name()), COMMANDS);
    walk(program, []);
  });

  test('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = await relais(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });

  test('help marks the required options, and only them', async () => {
    const r = await relais(['send', '--help']);
    assert.equal(r.code, 0, r.stderr);
    const required = [...r.stdout.matchAll(/^ {2}(--[\w-]+)[^\n]*(?:\n {20,}[^\n]*)*/gm)]
      .filter((m) => /\(required\)/.test(m[0])).map((m) => m[1]);
    assert.deepEqual(required, ['--account', '--channel', '--to']);
  });

  test('the package bin is the CLI entry point and starts with a node shebang (npx relais after npm install)', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const build = JSON.parse(await readFile(new URL('../../tsconfig.build.json', import.meta.url), 'utf8'));
    // The build compiles src/ into dist/, so the bin's source is src/cli/main.ts.
    assert.equal(pkg.bin.relais.replace(build.compilerOptions.outDir, build.compilerOptions.rootDir).replace(/\.js$/, '.ts'), 'src/cli/main.ts');
    assert.match(await readFile(MAIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });
});
