import { bad } from './http.js';
import type { EmJob, Family } from './types.js';

/** The list endpoints' paging: limit, order, after and before over one family's jobs. */

export interface ListPage {
  object: 'list';
  data: unknown[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

export function listPage(family: Family, query: URLSearchParams, all: Iterable<EmJob>, json: (j: EmJob) => unknown, keep?: (j: EmJob) => boolean): ListPage {
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? (family === 'sora-1' ? 10 : 20) : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw bad(family, `limit must be an integer between 0 and 100, got ${limitRaw}`, 'limit');
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw bad(family, `order must be asc or desc, got ${order}`, 'order');
  let items = [...all].filter((j) => j.family === family && (!keep || keep(j)));
  items.sort((a, b) => (order === 'asc' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt));
  const after = query.get('after');
  if (after) {
    const at = items.findIndex((j) => j.id === after);
    items = at === -1 ? [] : items.slice(at + 1);
  }
  const before = query.get('before');
  if (before) {
    const at = items.findIndex((j) => j.id === before);
    items = at === -1 ? [] : items.slice(0, at);
  }
  const page = items.slice(0, limit);
  return { object: 'list', data: page.map(json), has_more: items.length > page.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null };
}
