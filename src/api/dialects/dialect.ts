import type { FastifyInstance } from 'fastify';
import type { Core } from '../../core/context.js';
import type { ErrorCode } from '../../core/errors.js';
import type { WebhookRenderer } from '../../core/webhooks.js';

/** The Fastify instance a dialect's routes are registered on (its own encapsulated scope). */
export type DialectApp = FastifyInstance<any, any, any, any, any>;

/** What every dialect's routes receive, whatever the vendor. */
export interface DialectContext {
  core: Core;
  /** Zone of the vendor's local dates (RELAIS_TIMEZONE). */
  timezone: string;
  /** Cancels are refused this close to the send (RELAIS_CANCEL_CUTOFF_SECONDS). */
  cancelCutoffMs: number;
}

/** A dialect's routes: a Fastify plugin taking the shared context plus the dialect's own switches and settings. */
export type DialectRoutes<S extends string, N extends string = never> =
  (app: DialectApp, opts: DialectContext & Readonly<Record<S, boolean>> & Readonly<Record<N, number>>) => Promise<void>;

/** An OpenAPI security scheme of a vendor key, as /docs/json lists it under components.securitySchemes. */
export type SecurityScheme =
  | { type: 'apiKey'; in: 'query' | 'header'; name: string; description: string }
  | { type: 'http'; scheme: string; description: string };

/** How /docs/json shows a dialect: its routes have no schemas (vendor parsing is lenient), only these. */
export interface DialectDocs {
  tag: string;
  description: string;
  /** The schemes of the vendor's key, by name; any one of them authenticates a request to the dialect. */
  securitySchemes: Readonly<Record<string, SecurityScheme>>;
  /** Summary of each endpoint, by its path under the prefix; an endpoint without one is left out. */
  summaries: Readonly<Record<string, string>>;
}

/** Everything the server needs to know about one vendor dialect, written once in the dialect's folder. */
export interface DialectDescription<S extends string, N extends string = never> {
  /** Its key in `GET /` and in config (lower case, the vendor's name). */
  name: string;
  /** Where its routes are mounted, e.g. `/smspartner/v1`. */
  prefix: string;
  /**
   * The vendor's API host names and base path (`https://api.smspartner.fr/v1`): with
   * RELAIS_HOST_DIALECTS on, a request for one of these hosts under that path is served by the
   * dialect as if it had the prefix.
   */
  vendor: { hosts: readonly string[]; path: string };
  /**
   * On/off settings by the option name its routes receive, each read as true/false from the
   * variable it names; that variable is a row of the ENV table in src/config.ts and of the README.
   */
  switches: Readonly<Record<S, `RELAIS_${string}`>>;
  /** Whole-number settings (1 or more) by the option name its routes receive, each read from the variable it names, as switches are. */
  settings?: Readonly<Record<N, `RELAIS_${string}`>>;
  /**
   * Loads the routes. Loaded on mount, not imported: config.ts reads these descriptions, and the
   * one-shot CLI commands that load config must not load the HTTP stack.
   */
  routes(): Promise<DialectRoutes<S, N>>;
  /** Status-callback renderers by the callback format name the dialect stores with its messages. */
  callbackFormats: Readonly<Record<string, WebhookRenderer>>;
  docs: DialectDocs;
}

/** A described dialect as the registry holds it: every dialect looks the same from outside. */
export interface Dialect extends Omit<DialectDescription<string, string>, 'routes'> {
  /**
   * Registers the routes under the prefix, with the switch values config read for this dialect
   * (absent: off) and its settings (each one the dialect declares is required: api/app.ts fills in the defaults).
   */
  mount(app: DialectApp, context: DialectContext, switches: Readonly<Record<string, boolean>>, settings?: Readonly<Record<string, number>>): Promise<void>;
}

/** Checks a description against its own routes' options, then gives it the shape the registry holds. */
export function defineDialect<S extends string, N extends string = never>(description: DialectDescription<S, N>): Dialect {
  const { routes, ...rest } = description;
  return {
    ...rest,
    async mount(app, context, switches, settings = {}) {
      const names = Object.keys(description.switches) as S[];
      const on = Object.fromEntries(names.map((name) => [name, switches[name] === true])) as Record<S, boolean>;
      const values = Object.fromEntries(Object.keys(description.settings ?? {}).map((name) => {
        const value = settings[name];
        if (value === undefined) throw new Error(`dialect ${description.name}: no value for setting ${name}`);
        return [name, value];
      })) as Record<N, number>;
      await app.register(await routes(), { prefix: description.prefix, ...context, ...on, ...values });
    },
  };
}

const SCHEDULE_REFUSALS = ['cancel_too_late', 'already_cancelled', 'already_dispatched', 'invalid_date', 'nonexistent_local_time', 'send_at_in_past'] as const satisfies readonly ErrorCode[];
type ScheduleRefusal = (typeof SCHEDULE_REFUSALS)[number];

/**
 * The part of a dialect's error table for a vendor that documents no refusal of a cancel or of a
 * send time: every such code gets the one answer (its generic bad request).
 */
export function scheduleRefusals<A>(answer: A): Record<ScheduleRefusal, A> {
  return Object.fromEntries(SCHEDULE_REFUSALS.map((code) => [code, answer])) as Record<ScheduleRefusal, A>;
}
