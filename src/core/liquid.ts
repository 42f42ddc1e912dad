import { filters, Liquid, ParseError, type Template } from 'liquidjs';
import { RelaisError } from './errors.js';

/**
 * Braze's Liquid (DECISIONS §33): liquidjs, with Braze's `${name}` attribute references rewritten
 * to plain Liquid before parsing. brazejs speaks the variant natively but reads files through
 * `include`, fetches URLs through `connected_content` and has no limits.
 */

/** The largest template: an e-mail body (campaigns.ts bounds each field lower or equal). */
export const MAX_TEMPLATE_CHARS = 1_000_000;
/** The longest text a render may produce: a bigger one is refused, not handed on. */
export const MAX_OUTPUT_CHARS = 1_000_000;
/** Render time a template may take: renders run on the dispatcher's event loop, per recipient. */
export const RENDER_LIMIT_MS = 250;
/** liquidjs's count of range elements and characters its filters build, summed over one render. */
export const MEMORY_LIMIT = 5_000_000;

/** The standard attributes `${name}` reads (Braze's names), and any other the caller knows. */
export interface BrazeUser {
  first_name?: string | null;
  last_name?: string | null;
  email_address?: string | null;
  phone_number?: string | null;
  time_zone?: string | null;
  [attribute: string]: unknown;
}

export interface RenderContext {
  user: BrazeUser;
  custom: Record<string, unknown>;
  apiTriggerProperties?: Record<string, unknown>;
  canvasEntryProperties?: Record<string, unknown>;
  /** What `'now'` and `'today'` mean to the `date` filter (ms since the epoch); absent: the system clock. */
  now?: number;
}

// Scope keys a template cannot name through `${…}`: the user's attributes, and the render's now.
const USER = '__braze_user';
const NOW = '__relais_now';

const engine = new Liquid({
  parseLimit: MAX_TEMPLATE_CHARS,
  renderLimit: RENDER_LIMIT_MS,
  memoryLimit: MEMORY_LIMIT,
  // A misspelt filter is refused when the campaign is saved, not silently dropped at send time.
  strictFilters: true,
  ownPropertyOnly: true,
  relativeReference: false,
});

// Templates come from API clients: nothing may reach the server's files.
for (const tag of ['include', 'render', 'layout']) {
  engine.registerTag(tag, {
    parse(token) {
      throw new ParseError(new Error(`the ${tag} tag is not supported`), token);
    },
    render() {},
  });
}

engine.registerFilter('date', function date(this: { context: { environments: unknown } }, value: unknown, ...args: unknown[]) {
  const now = (this.context.environments as Record<string, unknown>)[NOW];
  const at = (value === 'now' || value === 'today') && typeof now === 'number' ? now / 1000 : value;
  return (filters.date as (this: unknown, ...a: unknown[]) => unknown).call(this, at, ...args);
});

const refused = (field: string, message: string) => new RelaisError('invalid_request', `${field}: ${message}`, { field });

/** A `${key}` reference as liquidjs reads it: `.key` where that parses, else `["key"]`. */
function accessor(key: string, field: string): string {
  if (!key || key.length > 255 || /["\p{Cc}]/u.test(key)) throw refused(field, `\${${key}} is not an attribute reference`);
  return /^[A-Za-z_][\w-]*$/.test(key) ? `.${key}` : `["${key}"]`;
}

const OPEN = /\{[{%]/g;
const RAW_END = /\{%-?\s*endraw\s*-?%\}/g;

/**
 * Braze's references rewritten to Liquid, inside markup only (text, strings and raw blocks are
 * left alone): `${first_name}` reads the user's attribute, `custom_attribute.${plan}` the key.
 */
export function brazeToLiquid(source: string, field: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    OPEN.lastIndex = i;
    const open = OPEN.exec(source);
    if (!open) break;
    const start = open.index;
    const close = source[start + 1] === '%' ? '%}' : '}}';
    out += source.slice(i, start + 2);
    let k = start + 2;
    let markup = '';
    let quote: string | null = null;
    while (k < source.length && (quote !== null || !source.startsWith(close, k))) {
      const c = source[k];
      if (quote === null && c === '$' && source[k + 1] === '{') {
        const end = source.indexOf('}', k + 2);
        if (end < 0) break;
        const ref = accessor(source.slice(k + 2, end), field);
        markup = markup.endsWith('.') ? markup.slice(0, -1) + ref : markup + USER + ref;
        k = end + 1;
        continue;
      }
      if (quote === null && (c === '"' || c === "'")) quote = c;
      else if (c === quote) quote = null;
      markup += c;
      k++;
    }
    out += markup;
    i = k;
    if (close === '%}' && /^-?\s*raw\s*-?$/.test(markup) && source.startsWith(close, k)) {
      RAW_END.lastIndex = k;
      const end = RAW_END.exec(source);
      const to = end ? end.index : source.length;
      out += source.slice(k, to);
      i = to;
    }
  }
  return out + source.slice(i);
}

function parse(source: string, field: string): Template[] {
  if (source.length > MAX_TEMPLATE_CHARS) throw refused(field, `a template is at most ${MAX_TEMPLATE_CHARS} characters`);
  const liquid = brazeToLiquid(source, field);
  try {
    return engine.parse(liquid);
  } catch (err) {
    // A RangeError is a template nested deeper than the parser's stack.
    throw refused(field, `the template does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Refuses (invalid_request naming `field`) a template that does not parse or uses what Relais does not support. */
export function checkTemplate(source: string, field: string): void {
  parse(source, field);
}

/**
 * The template rendered for one user. Unknown variables render empty (Braze's behaviour). A
 * render past the limits (time, memory, output size) fails with invalid_request naming `field`.
 * Synchronous (no tag here awaits anything): the dispatcher renders inside the transaction that
 * claims a message, where nothing may wait on anything but the database.
 */
export function renderTemplate(source: string, ctx: RenderContext, field = 'template', limitMs = RENDER_LIMIT_MS): string {
  return renderParsed(parsedOnce(source, field), ctx, field, limitMs);
}

/**
 * Parsed templates kept for the renders of later claims, most recently used last: parsing is most
 * of a render's cost (a valid 670 KB template of 28 000 tags takes over a second), and one
 * schedule's messages are claimed one by one. Bounded by the characters of the sources kept.
 */
const PARSE_CACHE_CHARS = 4 * MAX_TEMPLATE_CHARS;
const parseCache = new Map<string, Template[]>();
let parseCacheChars = 0;

function parsedOnce(source: string, field: string): Template[] {
  const hit = parseCache.get(source);
  if (hit) {
    parseCache.delete(source);
    parseCache.set(source, hit);
    return hit;
  }
  const templates = parse(source, field);
  parseCache.set(source, templates);
  parseCacheChars += source.length;
  for (const [oldest] of parseCache) {
    if (parseCacheChars <= PARSE_CACHE_CHARS) break;
    parseCache.delete(oldest);
    parseCacheChars -= oldest.length;
  }
  return templates;
}

function renderParsed(templates: Template[], ctx: RenderContext, field: string, limitMs: number): string {
  const scope = {
    [USER]: ctx.user,
    [NOW]: ctx.now,
    custom_attribute: ctx.custom,
    api_trigger_properties: ctx.apiTriggerProperties ?? {},
    canvas_entry_properties: ctx.canvasEntryProperties ?? {},
  };
  let text: string;
  try {
    text = engine.renderSync(templates, scope, { renderLimit: limitMs }) as string;
  } catch (err) {
    throw new RelaisError('invalid_request', `${field}: the template could not be rendered: ${err instanceof Error ? err.message : String(err)}`, { field });
  }
  if (text.length > MAX_OUTPUT_CHARS) throw refused(field, `the rendered text is longer than ${MAX_OUTPUT_CHARS} characters`);
  return text;
}

/**
 * The renders of one API call: each template parsed once however many users it renders for, and
 * their time summed against `budgetMs`, so that one call cannot hold the event loop for long in
 * total even when every single render stays under RENDER_LIMIT_MS.
 */
export class RenderSession {
  private readonly parsed = new Map<string, Template[]>();
  private spentMs = 0;

  constructor(readonly budgetMs: number) {}

  /** Whether the budget is spent: every further render fails. */
  get exhausted(): boolean {
    return this.spentMs >= this.budgetMs;
  }

  /** A property, not a method: callers hand it on as the render function. */
  readonly render = (source: string, ctx: RenderContext, field: string): string => {
    const overBudget = () => refused(field, `rendering the templates of this call took more than ${this.budgetMs} ms`);
    if (this.exhausted) throw overBudget();
    const left = this.budgetMs - this.spentMs;
    let templates = this.parsed.get(source);
    if (!templates) this.parsed.set(source, templates = parse(source, field));
    const started = performance.now();
    try {
      return renderParsed(templates, ctx, field, Math.min(RENDER_LIMIT_MS, left));
    } catch (err) {
      throw this.budgetMs - this.spentMs - (performance.now() - started) <= 0 ? overBudget() : err;
    } finally {
      this.spentMs += performance.now() - started;
    }
  };
}
