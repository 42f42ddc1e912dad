import http from 'node:http';
import SqliteDatabase from 'better-sqlite3';
import * as fc from 'fast-check';
import pg from 'pg';
import type { App } from '../../src/api/app.js';

/**
 * The pieces of the hostile-client fuzz test (test/fuzz): the route list read from the app,
 * a raw HTTP client that can send what fetch refuses to (GET bodies, broken percent escapes),
 * a direct SQL view of what the server wrote, and the request generators.
 */

export type Api = 'native' | 'admin' | 'partner';

export interface Route {
  api: Api;
  /** Fastify's template, `:name` for a path parameter. */
  path: string;
  methods: string[];
}

const APIS: [string, Api][] = [['/api/v1/', 'native'], ['/admin/v1/', 'admin'], ['/smspartner/v1/', 'partner'], ['/mailpartner/v1/', 'partner'], ['/voicepartner/v1/', 'partner']];

// One line of `printRoutes({ commonPrefix: false })`: tree drawing (4 characters a level),
// the node's text (appended to its parent's), then its methods when a route ends there.
const TREE_LINE = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/;

/**
 * Every route of the native, admin and Partner APIs, read from the running app's router, so a new
 * endpoint is fuzzed without editing the test. `path/` twins of Partner routes are folded in.
 */
export function appRoutes(app: App): Route[] {
  const stack: string[] = [];
  const routes = new Map<string, Route>();
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (!line.trim()) continue;
    const m = TREE_LINE.exec(line);
    if (!m) throw new Error(`appRoutes: unexpected printRoutes line ${JSON.stringify(line)}`);
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack.push(path);
    if (!m[3]) continue;
    const api = APIS.find(([prefix]) => path.startsWith(prefix))?.[1];
    if (!api) continue;
    const key = path.replace(/\/$/, '');
    const methods = m[3].split(', ').filter((x) => x !== 'HEAD');
    const known = routes.get(key);
    routes.set(key, { api, path: key, methods: [...new Set([...(known?.methods ?? []), ...methods])] });
  }
  return [...routes.values()];
}

export interface FuzzRequest {
  method: string;
  /** As sent on the request line: already percent-encoded (possibly badly, on purpose). */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzResponse {
  status: number;
  text: string;
}

/**
 * One request on a fresh connection (so that a reset is seen as one), bounded by `timeoutMs`.
 * Rejects on a connection error or a hang, with the request in the message.
 */
export function send(base: string, req: FuzzRequest, timeoutMs: number): Promise<FuzzResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request({
      host: url.hostname, port: url.port, method: req.method, path: req.path, agent: false,
      headers: { ...req.headers, ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      // A server that answers without reading the whole body (a GET's, a refused one's) closes
      // a socket that still holds unread bytes; the reset that follows may cut its answer after
      // the status line. The request was answered, so that is no failure; a cut answer to a
      // request without a body is one.
      res.on('error', (err) => (req.body ? resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
        : reject(new Error(`${describeRequest(req)}: answer cut: ${err.message}`))));
    });
    r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    r.on('error', (err) => reject(new Error(`${describeRequest(req)}: ${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`)));
    r.end(req.body);
  });
}

/** A request on one line, long values cut: what a failure message shows. */
export function describeRequest(req: FuzzRequest): string {
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${cut(v, 80)}`).join('; ');
  return `${req.method} ${cut(req.path, 300)} [${headers}]${req.body === undefined ? '' : ` body(${req.body.length}) ${cut(req.body, 300)}`}`;
}

export function cut(s: string, max: number): string {
  return s.length <= max ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, max / 2))}…(${s.length} chars)…${JSON.stringify(s.slice(-max / 4))}`;
}

export interface Snapshot {
  messages: number;
  ledgerEntries: number;
  /** `id:balance` of every account, in id order. */
  balances: string;
}

export interface LedgerProbe {
  snapshot(): Promise<Snapshot>;
  /** Accounts whose balance is not the sum of their ledger entries or not their last `balance_after`. */
  ledgerViolations(): Promise<string[]>;
  close(): Promise<void>;
}

const COUNTS = 'select (select count(*) from messages) as messages, (select count(*) from ledger) as ledger';
// Amounts read as text and summed as bigint, so that a figure beyond 2^53 is seen as it is stored.
const BALANCES = 'select id, cast(balance as text) as balance from accounts order by id';
const LEDGER = 'select account_id, cast(amount as text) as amount, cast(balance_after as text) as balance_after from ledger order by id';

/** Reads what the server wrote through its own connection (SQL, not the API under test). */
export async function ledgerProbe(databaseUrl: string): Promise<LedgerProbe> {
  let query: (sql: string) => Promise<Record<string, unknown>[]>;
  let close: () => Promise<void>;
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new SqliteDatabase(databaseUrl.slice('sqlite:'.length), { readonly: true });
    query = async (sql) => db.prepare(sql).all() as Record<string, unknown>[];
    close = async () => { db.close(); };
  } else {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    query = async (sql) => (await client.query(sql)).rows;
    close = () => client.end();
  }
  return {
    async snapshot() {
      const [counts] = await query(COUNTS);
      const balances = (await query(BALANCES)).map((r) => `${r.id}:${r.balance}`).join(' ');
      return { messages: Number(counts!.messages), ledgerEntries: Number(counts!.ledger), balances };
    },
    async ledgerViolations() {
      const out: string[] = [];
      const sums = new Map<string, { sum: bigint; last: string }>();
      for (const r of await query(LEDGER)) {
        const id = String(r.account_id);
        const s = sums.get(id) ?? { sum: 0n, last: '' };
        const amount = integer(r.amount);
        if (amount === undefined) out.push(`account ${id}: ledger amount ${r.amount} is not an integer`);
        sums.set(id, { sum: s.sum + (amount ?? 0n), last: String(r.balance_after) });
      }
      for (const a of await query(BALANCES)) {
        const balance = String(a.balance);
        const s = sums.get(String(a.id)) ?? { sum: 0n, last: balance };
        if (integer(balance) !== s.sum) out.push(`account ${a.id}: balance ${balance} != ledger sum ${s.sum}`);
        else if (s.last !== balance) out.push(`account ${a.id}: balance ${balance} != last balance_after ${s.last}`);
      }
      return out;
    },
    close,
  };
}

/** Thousandths as stored; undefined for what is not an integer (a float written by an overflow). */
const integer = (v: unknown): bigint | undefined => (/^-?\d+$/.test(String(v)) ? BigInt(String(v)) : undefined);

// ---------------------------------------------------------------------------------------------
// Generators

export interface FuzzContext {
  /** A key with every scope of the main account (the fuzzer mostly gets past authentication). */
  key: string;
  /** A key of the same account with `messages:read` only. */
  readKey: string;
  adminToken: string;
  /** Ids that exist: messages and accounts, so some requests reach the code behind the lookup. */
  ids: number[];
}

/** Byte-wise percent-encoding of everything but unreserved characters; never throws (lone surrogates too). */
const enc = (s: string): string => {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};

const nest = (open: string, close: string, inner: string, n: number) => open.repeat(n) + inner + close.repeat(n);
/** Depths around the limits a parser or a recursive walk may have. */
const depth = fc.oneof(fc.constantFrom(50, 101, 1000, 5000, 10_000), fc.integer({ min: 1, max: 12_000 }));

const NUMERIC = ['1e99', '-1e99', 'Infinity', '-Infinity', 'NaN', '-1', '0', '-0', '+1', ' 1', '1.5', '0x10', '0b1', '1e-7', '1_000', '9'.repeat(400), '9007199254740993', '1e308'];
/** Control characters: NUL (PostgreSQL text refuses it) and header-injecting line breaks. */
const CONTROL = ['\u0000', 'a\u0000b', 'x\r\nBcc: x@evil.test', '\r\nX-Injected: 1', 'a\u0001\u001fb'];
const TEXT = ['', ' ', '[]', '{}', 'true', 'null', '<x/>', '%', 'sms', 'email', 'xml', 'json', '2026-06-01T08:00:00Z', '9999-12-31T23:59:59Z', '31/12/9999', '0612345678', '+33612345678', 'a@b.co', 'http://127.0.0.1:1/', '\uD800', 'é'];

/** A query or form value: hostile text, a very long one, or anything; `integer`/`number` ones mostly numeric. */
const textValue = (type = 'any') => fc.oneof(
  { weight: type === 'integer' || type === 'number' ? 6 : 0, arbitrary: fc.constantFrom(...NUMERIC) },
  { weight: 3, arbitrary: fc.constantFrom(...CONTROL) },
  { weight: 4, arbitrary: fc.constantFrom(...NUMERIC, ...TEXT) },
  { weight: 1, arbitrary: fc.constantFrom(5000, 100_001).map((n) => 'x'.repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
);

const QUERY_KEYS = ['limit', 'cursor', 'status', 'channel', 'tag', 'batchId', 'sendAtFrom', 'sendAtTo', 'messageId', '_format', 'phoneNumber', 'phoneNumbers', 'message', 'sender', 'token', 'tokenSubaccount', 'credit', 'page', 'interval', 'type', 'id', 'gamme', 'scheduledDeliveryDate', 'time', 'minute', 'isUnicode', 'sandbox', 'urlDlr'];
const BODY_KEYS = ['channel', 'to', 'sendAt', 'text', 'sender', 'unicode', 'subject', 'html', 'from', 'replyTo', 'audioUrl', 'tag', 'batchId', 'metadata', 'ids', 'dryRun', 'sendAtFrom', 'sendAtTo', 'address', 'reason', 'name', 'credits', 'parentId', 'scopes', 'email', 'subaccountsEnabled', 'legalWindow', 'phoneNumbers', 'phoneNumber', 'message', 'SMSList', 'messageId', 'type', 'parameters', 'tokenSubaccount', 'token', 'credit', 'urlDlr', 'urlResponse', 'scheduledDeliveryDate', 'time', 'minute', 'isUnicode', 'isStopSms', 'sandbox', 'gamme', '_format', '__proto__', 'constructor'];

/** A key: the operation's own field, a known one, PHP-style nesting (deep too), prototype names, or anything. */
const paramKey = (own: string[], known: string[]) => fc.oneof(
  { weight: own.length ? 6 : 0, arbitrary: fc.constantFrom(...own, '') },
  { weight: 3, arbitrary: fc.constantFrom(...known) },
  { weight: 1, arbitrary: fc.constantFrom('a[b][c]', 'limit[]', 'limit[a]', '__proto__[x]', 'constructor[prototype][x]', 'phoneNumbers[0]', 'SMSList[0][message]', '') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...own, ...known), depth).map(([k, n]) => k + '[x]'.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

/** Strings as JSON text. */
const J = (xs: string[]) => xs.map((x) => JSON.stringify(x));

/** A JSON value as text: wrong types, extreme numbers, NUL, deep nesting, anything. */
const rawJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('null', 'true', 'false', '0', '-1', '1e308', '-1e308', '1e400', '123456789012345678901234567890', '9007199254740993', '1.5', '-0', '[]', '{}', '[null]', '[[]]', '["x"]', '{"a":1}', '999999999999.999', '"999999999999.999"', '1e300', '"0.0001"', ...J([...NUMERIC, ...CONTROL, ...TEXT])) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 100_001).map((n) => JSON.stringify('x'.repeat(n))) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom<[string, string]>(['{"a":', '}'], ['[', ']'], ['{"a":[', ']}']), depth).map(([[o, c], n]) => nest(o, c, '1', n)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
);

const many = (n: number, item: string) => `[${Array(n).fill(item).join(',')}]`;

/** Values aimed at one JSON type: what a parser, a coercion or a database column of that type may choke on. */
const TYPED: Record<string, fc.Arbitrary<string>> = {
  string: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...J(CONTROL)) },
    { weight: 4, arbitrary: fc.constantFrom(...J([...TEXT, ...NUMERIC, '   ', '\\u0000', '<script>', '\u202e'])) },
    { weight: 1, arbitrary: fc.constantFrom(1000, 100_001).map((n) => JSON.stringify('x'.repeat(n))) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((x) => JSON.stringify(x)) },
  ),
  integer: fc.constantFrom('1e308', '-1e308', '1e400', '1.5', '-1', '0', '-0', '9007199254740993', '123456789012345678901234567890', '1e99', ...J(NUMERIC)),
  array: fc.oneof(
    fc.constantFrom('[]', '[null]', '[[]]', '[{}]', JSON.stringify(['\u0000']), '[1e308]', many(10_001, '"0612345678"'), many(1001, '1'), `["${'x'.repeat(10_000)}"]`),
    fc.tuple(depth).map(([n]) => nest('[', ']', '"x"', n)),
  ),
  object: fc.oneof(
    fc.constantFrom('{}', JSON.stringify({ a: '\u0000' }), JSON.stringify({ '\u0000': 1 }), '{"__proto__":{"x":1}}', '{"a":1e400}', `{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`),
    fc.tuple(depth).map(([n]) => nest('{"a":', '}', '1', n)),
  ),
  boolean: fc.constantFrom('"true"', '1', '0', 'null', '[]', '"yes"'),
};
TYPED.number = TYPED.integer!;

/** A hostile value for a field of `type`: mostly aimed at the type, sometimes anything. */
const valueFor = (type: string): fc.Arbitrary<string> =>
  TYPED[type] ? fc.oneof({ weight: 3, arbitrary: TYPED[type] }, { weight: 1, arbitrary: rawJson }) : rawJson;

type Pairs = [string, string][];

/** Bodies close to valid, so that one bad field reaches the code behind the schema. */
function baseBody(route: Route, method: string, ctx: FuzzContext): Pairs {
  const j = (o: Record<string, unknown>): Pairs => Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)]);
  const id = ctx.ids[0]!;
  const p = route.path;
  if (route.api === 'native') {
    if (p.endsWith('/messages') && method === 'POST') return j({ channel: 'sms', to: ['0612345678'], text: 'hello' });
    if (p.endsWith('/messages/cancel')) return j({ tag: 'fuzz', dryRun: true });
    if (p.endsWith('/messages/:id') && method === 'PATCH') return j({ text: 'edited' });
    if (p.endsWith('/suppressions') && method === 'POST') return j({ channel: 'sms', address: '0612345678' });
  } else if (route.api === 'admin') {
    if (p.endsWith('/accounts') && method === 'POST') return j({ name: 'fuzz', credits: '1' });
    if (p.endsWith('/topup')) return j({ credits: '1' });
    if (p.endsWith('/keys')) return j({ scopes: ['messages:read'] });
    if (p.endsWith('/accounts/:id')) return j({ subaccountsEnabled: true });
  } else {
    if (p.endsWith('/bulk-send')) return j({ SMSList: [{ phoneNumber: '0612345678', message: 'hello' }] });
    if (p.endsWith('/send')) return j({ phoneNumbers: '0612345678', message: 'hello' });
    if (p.endsWith('/subaccount/create')) return j({ type: 'simple', parameters: { creditToAttribute: 1, isBuyer: 0 } });
    if (p.includes('/subaccount/credit')) return j({ credit: 1, tokenSubaccount: 'x' });
    if (p.includes('/stop-sms/')) return j({ phoneNumber: '0612345678' });
    if (p.includes('status') || p.includes('cancel')) return j({ messageId: id, phoneNumber: '0612345678', tag: 'fuzz' });
  }
  return [];
}

type Mutation = { set: [string, string] } | { drop: number };

/** Up to three edits of the base body: a documented field set to a value aimed at its type, any key to anything, a field dropped. */
const mutations = (own: Field[]) => fc.array(fc.oneof(
  { weight: own.length ? 4 : 0, arbitrary: fc.constantFrom(...own, { name: '', type: 'any' }).chain((f) => valueFor(f.type).map((v): Mutation => ({ set: [f.name, v] }))) },
  { weight: 2, arbitrary: fc.tuple(paramKey([], BODY_KEYS), rawJson).map(([k, v]): Mutation => ({ set: [k, v] })) },
  { weight: 1, arbitrary: fc.nat(5).map((i): Mutation => ({ drop: i })) },
), { minLength: 0, maxLength: 3 });

function mutate(base: Pairs, ms: Mutation[]): Pairs {
  const out = [...base];
  for (const m of ms) {
    if ('drop' in m) out.splice(m.drop % Math.max(out.length, 1), 1);
    else {
      const i = out.findIndex(([k]) => k === m.set[0]);
      if (i >= 0) out[i] = m.set;
      else out.push(m.set);
    }
  }
  return out;
}

type Credential = 'key' | 'readKey' | 'admin' | 'none' | 'unknown' | 'malformed';
const credential = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Credential>('key') },
  { weight: 1, arbitrary: fc.constantFrom<Credential>('readKey', 'admin', 'none', 'unknown', 'malformed') },
);

function secret(c: Credential, ctx: FuzzContext): string | undefined {
  switch (c) {
    case 'key': return ctx.key;
    case 'readKey': return ctx.readKey;
    case 'admin': return ctx.adminToken;
    case 'unknown': return 'rk_live_0000000000000000000000000000';
    case 'malformed': return '\u0000 x';
    case 'none': return undefined;
  }
}

const BAD_JSON = ['{', '{"a":', '{"a":1,}', "{'a':1}", 'nul', '[1,2', '{"a":1}garbage', '\uFEFF{}', '{"a":"\\x"}', '{"a":"\\ud800"}'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'text/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'x/y', 'application/json, text/plain', ''];

const segment = (ctx: FuzzContext) => fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMERIC.map(enc), '%00', '', '%2e%2e', '%2F', '%ZZ', '%', '%ED%A0%80', '..', 'a'.repeat(2000), 'null', 'sms', 'email', '%2B33612345678', 'a%40b.co', '%0D%0A') },
  { weight: 1, arbitrary: fc.constantFrom(...ctx.ids.map(String)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(enc) },
);

type BodyKind = 'none' | 'emptyJson' | 'json' | 'jsonValue' | 'badJson' | 'form' | 'xml';
/** The native and admin APIs take JSON: other kinds there only probe the parser choice. */
const bodyKind = (api: Api): fc.Arbitrary<BodyKind> => {
  const w: Record<BodyKind, number> = api === 'partner'
    ? { none: 2, emptyJson: 1, json: 4, jsonValue: 1, badJson: 1, form: 3, xml: 2 }
    : { none: 1, emptyJson: 1, json: 10, jsonValue: 1, badJson: 1, form: 1, xml: 1 };
  return fc.oneof(...Object.entries(w).map(([kind, weight]) => ({ weight, arbitrary: fc.constant(kind as BodyKind) })));
};

function xmlBody(pairs: [string, string][], deep: number, wrap: boolean): string {
  const esc = (s: string) => s.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'));
  const fields = pairs.map(([k, v]) => (/^[A-Za-z_][\w-]*$/.test(k) ? `<${k}>${esc(v)}</${k}>` : '')).join('');
  const inner = wrap ? nest('<a>', '</a>', 'x', deep) : '';
  return `<?xml version="1.0" encoding="UTF-8"?><request>${fields}${inner}</request>`;
}

const ENTITIES = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><request><message>&c;&c;&c;</message></request>';

/** A documented parameter: its name and JSON type (`any` for unions and untyped ones). */
export interface Field {
  name: string;
  type: string;
}

export type Fields = Map<string, { query: Field[]; body: Field[] }>;

const typeOf = (schema: any): string => {
  const t = Array.isArray(schema?.type) ? schema.type.filter((x: string) => x !== 'null') : [schema?.type];
  return t.length === 1 && typeof t[0] === 'string' ? t[0] : 'any';
};

/** Query and body parameters of each native and admin operation, from the app's OpenAPI document. */
export function documentedFields(app: App): Fields {
  const doc = app.swagger() as { paths?: Record<string, Record<string, any>> };
  const out: Fields = new Map();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const query = ((op?.parameters ?? []) as { in: string; name: string; schema?: unknown }[])
        .filter((x) => x.in === 'query').map((x) => ({ name: x.name, type: typeOf(x.schema) }));
      const schema = (Object.values(op?.requestBody?.content ?? {})[0] as { schema?: { properties?: Record<string, unknown> } } | undefined)?.schema;
      const body = Object.entries(schema?.properties ?? {}).map(([name, s]) => ({ name, type: typeOf(s) }));
      out.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, { query, body });
    }
  }
  return out;
}

// Request lines stay under Node's 16 KiB header limit, where a 431 would answer before routing.
const MAX_PATH = 12_000;

/**
 * A generated hostile request to one of `routes`, the three APIs in fair shares. Most carry a
 * valid credential so that the bad part reaches validation and core; the rest probe
 * authentication itself. `fields` (documentedFields) biases the keys towards the operation's own.
 */
export function fuzzRequest(routes: Route[], ctx: FuzzContext, fields: Fields = new Map()): fc.Arbitrary<FuzzRequest> {
  const of = (api: Api) => routes.filter((r) => r.api === api);
  const route = fc.oneof(...([['native', 4], ['admin', 2], ['partner', 4]] as const)
    .filter(([api]) => of(api).length > 0).map(([api, weight]) => ({ weight, arbitrary: fc.constantFrom(...of(api)) })));
  return route.chain((r) => fc.constantFrom(...r.methods).map((m) => [r, m] as const)).chain(([r, method]) => {
    const own = fields.get(`${method} ${r.path}`) ?? { query: [], body: [] };
    return fc.record({
      oddMethod: fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'PUT', 'OPTIONS', 'PATCH') }),
      segments: fc.array(segment(ctx), { minLength: 4, maxLength: 4 }),
      // A trailing slash is a 404 on the native API: rare, so that most requests reach a handler.
      slash: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      // Mostly one hostile value in the operation's own parameter, so that nothing else refuses the request first.
      query: fc.oneof(
        { weight: own.query.length ? 3 : 0, arbitrary: fc.constantFrom(...own.query, { name: 'limit', type: 'integer' }).chain((f) => fc.tuple(fc.constant(f.name), textValue(f.type), fc.boolean())).map((p) => [p]) },
        { weight: 2, arbitrary: fc.array(fc.tuple(paramKey(own.query.map((f) => f.name), QUERY_KEYS), textValue(), fc.boolean()), { maxLength: 3 }) },
      ),
      credential,
      // Partner: where the apiKey travels; native and admin: which header.
      keyIn: fc.constantFrom('query', 'body', 'header'),
      bodyKind: bodyKind(r.api),
      mutations: mutations(own.body),
      rawJson,
      badJson: fc.constantFrom(...BAD_JSON),
      form: fc.array(fc.tuple(paramKey(own.body.map((f) => f.name), BODY_KEYS), textValue()), { maxLength: 4 }),
      xml: fc.tuple(depth, fc.boolean(), fc.boolean()),
      // Mostly the body's own type; sometimes a wrong one.
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
    }).map((g) => build(r, g.oddMethod ?? method, g, ctx));
  }).map((req) => Object.assign(req, { [fc.toStringMethod]: () => describeRequest(req) }));
}

interface Generated {
  segments: string[];
  slash: boolean;
  query: [string, string, boolean][];
  credential: Credential;
  keyIn: string;
  bodyKind: BodyKind;
  mutations: Mutation[];
  rawJson: string;
  badJson: string;
  form: [string, string][];
  xml: [number, boolean, boolean];
  contentType: string | null;
}

function build(route: Route, method: string, g: Generated, ctx: FuzzContext): FuzzRequest {
  let i = 0;
  let path = route.path.replace(/:\w+/g, () => g.segments[i++]!) + (g.slash ? '/' : '');
  const headers: Record<string, string> = {};
  const cred = secret(route.api === 'admin' && g.credential === 'key' ? 'admin' : g.credential, ctx);
  // `raw`: brackets and the like left as typed, as PHP-style clients send them.
  const query = g.query.map(([k, v, raw]) => `${raw ? k.replace(/[^\x21-\x7e]|[#&=%]/g, (c) => enc(c)) : enc(k)}=${enc(v)}`);
  let bodyPairs = mutate(baseBody(route, method, ctx), g.mutations);
  let formPairs = g.form;
  if (cred !== undefined) {
    if (route.api !== 'partner') {
      headers[g.keyIn === 'header' ? 'x-api-key' : 'authorization'] = g.keyIn === 'header' ? clean(cred) : `Bearer ${clean(cred)}`;
    } else if (g.keyIn === 'query' || g.bodyKind === 'none' || g.bodyKind === 'emptyJson') {
      query.unshift(`apiKey=${enc(cred)}`);
    } else {
      bodyPairs = [['apiKey', JSON.stringify(cred)], ...bodyPairs];
      formPairs = [['apiKey', cred], ...formPairs];
    }
  }
  while (query.length && path.length + query.join('&').length > MAX_PATH) query.pop();
  if (query.length) path += `?${query.join('&')}`;

  let body: string | undefined;
  let type: string | undefined;
  switch (g.bodyKind) {
    case 'none': break;
    case 'emptyJson': body = ''; type = 'application/json'; break;
    case 'json': body = `{${bodyPairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`; type = 'application/json'; break;
    case 'jsonValue': body = g.rawJson; type = 'application/json'; break;
    case 'badJson': body = g.badJson; type = 'application/json'; break;
    case 'form': body = formPairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'); type = 'application/x-www-form-urlencoded'; break;
    case 'xml': {
      const [n, wrap, entities] = g.xml;
      body = entities ? ENTITIES : xmlBody(formPairs, n, wrap);
      type = 'application/xml';
    }
  }
  if (g.contentType !== null) type = g.contentType || undefined;
  if (type !== undefined) headers['content-type'] = type;
  return { method, path, headers, body };
}

// Header values cannot carry NUL or line breaks (the client library refuses them before sending).
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '?');
