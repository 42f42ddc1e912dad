#!/usr/bin/env node
import { fail } from './context.js';
import { buildProgram } from './program.js';

await buildProgram().parseAsync(process.argv).catch(fail);
