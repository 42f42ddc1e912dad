import type { SendWithin } from '../core/delivery.js';
import type { StatusCallbackReader } from '../core/provider-callbacks.js';
import type { TransportContext, TransportModule } from '../core/transport-module.js';
import { settingVariable } from '../core/transport-module.js';
import type { Transport, TransportRegistry } from '../core/transport.js';
import type { Channel } from '../core/types.js';
import { httpModule } from './http/module.js';
import { outboxModule } from './outbox.js';
import { smppModule } from './smpp/transport.js';
import { smtpModule } from './smtp.js';

/** Every transport configuration may name; a new one is one module and one line here. */
export const TRANSPORT_MODULES: readonly TransportModule[] = [outboxModule, smtpModule, smppModule, httpModule];

/** The transport each channel sends through, by name, and the settings of those named (TransportModule.parse). */
export interface TransportSelection {
  channels: Record<Channel, string>;
  settings: ReadonlyMap<string, unknown>;
}

/** The environment variables of every transport's settings, in order, for config.ts's ENV. */
export function transportVariables(): Record<string, { default: string; doc: string }> {
  return Object.fromEntries(TRANSPORT_MODULES.flatMap((m) => Object.entries(m.settings).map(([key, s]) => [settingVariable(m.name, key, s), s])));
}

/**
 * Reads the settings of the transports `channels` name from `env` (defaults filled in). Throws an
 * Error naming the variable at fault, or the known transports when a name is not one of them.
 */
export function selectTransports(channels: Record<Channel, string>, env: (variable: string) => string | undefined): TransportSelection {
  const settings = new Map<string, unknown>();
  for (const [channel, name] of Object.entries(channels)) {
    const m = TRANSPORT_MODULES.find((x) => x.name === name);
    if (!m) throw new Error(`RELAIS_${channel.toUpperCase()}_TRANSPORT names no transport: "${name}" (known: ${TRANSPORT_MODULES.map((x) => x.name).join(', ')})`);
    if (m.channels && !m.channels.includes(channel as Channel)) {
      throw new Error(`RELAIS_${channel.toUpperCase()}_TRANSPORT: the ${name} transport carries ${m.channels.join(', ')} only`);
    }
    if (settings.has(name)) continue;
    const values = Object.fromEntries(Object.entries(m.settings).map(([key, s]) => [key, env(settingVariable(name, key, s))?.trim() || s.default]));
    settings.set(name, m.parse(values));
  }
  return { channels, settings };
}

/** Builds the selected transports, one instance per name whatever the number of channels it serves. */
export function buildTransports(selection: TransportSelection, ctx: TransportContext): TransportRegistry {
  const built = new Map<string, Transport>();
  const registry = {} as TransportRegistry;
  for (const [channel, name] of Object.entries(selection.channels) as [Channel, string][]) {
    let t = built.get(name);
    if (!t) built.set(name, (t = TRANSPORT_MODULES.find((m) => m.name === name)!.create(selection.settings.get(name), ctx)));
    registry[channel] = t;
  }
  return registry;
}

/** The status-callback readers of the selected transports that have one, by name, for the API (core/provider-callbacks.ts). */
export function statusCallbackReaders(selection: TransportSelection): Map<string, StatusCallbackReader> {
  const readers = new Map<string, StatusCallbackReader>();
  for (const [name, settings] of selection.settings) {
    const read = TRANSPORT_MODULES.find((m) => m.name === name)?.statusCallbacks?.(settings);
    if (read) readers.set(name, read);
  }
  return readers;
}

/** The start-up warnings of the selected transports (TransportModule.startupWarnings). */
export function transportWarnings(selection: TransportSelection): string[] {
  return [...selection.settings].flatMap(([name, settings]) => TRANSPORT_MODULES.find((m) => m.name === name)!.startupWarnings?.(settings) ?? []);
}

/** The in-store deliveries of the registry's transports that have one (the outbox's), for the dispatcher. */
export function inStoreSenders(registry: TransportRegistry): Map<Transport, SendWithin> {
  const senders = new Map<Transport, SendWithin>();
  for (const t of new Set(Object.values(registry))) {
    for (const m of TRANSPORT_MODULES) {
      const within = m.inStore?.(t);
      if (within) senders.set(t, within);
    }
  }
  return senders;
}
