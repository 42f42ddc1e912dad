import type { Campaign } from '../core/types.js';
import { iso } from './account.js';

/** A campaign or canvas as the native API and the CLI show it. */
export const campaignView = (c: Campaign) => ({
  id: c.id,
  name: c.name,
  tags: c.tags,
  messages: c.messages,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});
