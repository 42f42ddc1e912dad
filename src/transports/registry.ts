import type { Channel, } from '../core/types.js';
import type { Transport } from '../core/ports.js';

/** The transport each channel sends through. */
export type TransportRegistry = Record<Channel, Transport>;

export async function closeTransports(registry: TransportRegistry): Promise<void> {
  await Promise.all([...new Set(Object.values(registry))].map((t) => t.close()));
}
