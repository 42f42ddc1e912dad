// `pg-template.ts create` prints the name of a new migrated template database (nothing when
// PostgreSQL is not tested or not reachable); `pg-template.ts drop NAME` drops it. Run by
// scripts/run-tests.mjs around a whole run, so that each test file copies it instead of migrating.
import { createMigratedTemplate, dropTemplate } from './store.js';

const [command, name] = process.argv.slice(2);
if (command === 'create') process.stdout.write(`${(await createMigratedTemplate()) ?? ''}\n`);
else if (command === 'drop' && name) await dropTemplate(name);
else {
  console.error('usage: pg-template.ts create | drop NAME');
  process.exit(2);
}
