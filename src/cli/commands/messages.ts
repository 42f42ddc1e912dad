import type { Command } from 'commander';
export function registerMessageCommands(_program: Command): void {}
