// The import layering of DESIGN.md ("Dependency direction"), checked by `npm run layers` (part of
// `npm test`) through scripts/layers.mjs. Why each rule and exception: docs/DECISIONS.md §26.
// test/layers.test.ts holds one violation per rule: a rule added here gets a fixture there.

/** Modules that wire the layers together: they may import any layer (the CLI not the API), no layer imports them. */
const ROOTS = '^src/(cli/|(main|compose|config|secret-key|metrics)\\.ts$)';

/** Infrastructure packages core must not reach for: core decides, adapters do the I/O. */
const INFRASTRUCTURE = '(^|/)node_modules/(fastify|@fastify/[^/]+|kysely|pg|better-sqlite3|nodemailer|smtp-server|smpp|commander|pino|prom-client)/';

/** An import from a module matching `from` to one matching `to` breaks the rule `name`. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

/** A layer that sees itself and core, nothing else of src/. */
const seesOnlyCore = (name, layer, comment) =>
  forbid(name, comment, { path: `^src/${layer}/` }, { path: '^src/', pathNot: `^src/(${layer}|core)/` });

module.exports = {
  forbidden: [
    forbid('no-circular', 'A cycle, type-only ones included, means two modules are one concept split in two, or a layer leaks upwards.',
      {}, { circular: true }),
    seesOnlyCore('core-imports-only-core', 'core', 'Core is the domain: it defines the ports the other layers implement and imports none of them.'),
    forbid('core-uses-no-infrastructure', 'Core takes its store, transports, clock and logger as ports; HTTP, SQL, mail, SMPP, CLI and metrics libraries belong to the adapters.',
      { path: '^src/core/' },
      { path: INFRASTRUCTURE }),
    seesOnlyCore('store-imports-only-core', 'store', 'The store implements core ports; it never sees the API, dispatch or a transport.'),
    seesOnlyCore('transports-import-only-core', 'transports', 'A transport implements the Transport port of core; it never sees the store, the API or dispatch.'),
    seesOnlyCore('dispatch-imports-only-core', 'dispatch', 'The dispatcher is handed its store and transports through core ports by main.ts.'),
    seesOnlyCore('tts-imports-only-core', 'tts', 'A speech synthesizer implements the Synthesizer port of core (it runs a process); main.ts hands it to core.'),
    seesOnlyCore('views-import-only-core', 'views', 'Presenters shared by the API and the CLI see core types only, so both may import them.'),
    forbid('api-imports-only-core-and-views', 'The API reaches the store, dispatch and transports through core ports, never directly.',
      { path: '^src/api/' },
      { path: '^src/', pathNot: '^src/((api|core|views)/|config\\.ts$)' }),
    forbid('dialects-never-import-other-dialects', 'Each dialect translates one vendor; what two dialects share goes to api/, core/ or, for the Partner family, api/dialects/partner/ (which imports no dialect).',
      { path: '^src/api/dialects/([^/]+)/' },
      { path: '^src/api/dialects/[^/]+/', pathNot: '^src/api/dialects/($1|partner)/' }),
    forbid('braze-is-no-partner', 'Braze is a JSON API with its own envelope and keys: a sibling of the native API, not of the Partner family (DECISIONS §34).',
      { path: '^src/api/dialects/braze/' },
      { path: '^src/api/dialects/partner/' }),
    forbid('dialects-reached-through-registry', 'Outside api/dialects/, dialects are reached through the registry there, so adding one is a folder plus a registry line.',
      { path: '^src/', pathNot: '^src/api/dialects/' },
      { path: '^src/api/dialects/[^/]+/' }),
    forbid('cli-never-imports-api', 'One-shot CLI commands must not load the HTTP stack; what both need lives in core/ or views/.',
      { path: '^src/cli/' },
      { path: '^src/api/' }),
    forbid('only-app-reads-config', 'api/app.ts derives its default HTTP limits from the ENV table of config.ts; every other part of the API gets its settings passed in.',
      { path: '^src/api/', pathNot: '^src/api/app\\.ts$' },
      { path: '^src/config\\.ts$' }),
    forbid('roots-are-listed', 'A module of src/ outside the layers is a composition root only once it is listed in ROOTS of .dependency-cruiser.cjs and in docs/DECISIONS.md §26.',
      { path: '^src/', pathNot: `^src/(core|store|transports|tts|dispatch|views|api)/|${ROOTS}` },
      { path: '^src/' }),
    forbid('every-import-resolves', 'An import the checker cannot resolve is an edge it cannot see, so it would hide a layer break.',
      { path: '^src/' },
      { couldNotResolve: true }),
  ],
  options: {
    // TypeScript 7 has no JS API (dependency-cruiser's tsc parser wants < 7): swc parses the
    // sources as written, so `import type` edges are seen like any other (test/layers.test.ts).
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
