import { bad } from './http.js';
import type { EmulatorState } from './state.js';
import type { EmJob, Family } from './types.js';

/**
 * The list endpoints' paging over one family's jobs, newest first unless `order=asc`:
 * - `limit` (0–100; default 10 for sora-1, 20 for sora-2);
 * - `after=ID`: the page that follows ID in that order; `before=ID`: the page that precedes it
 *   (the `limit` items nearest to ID, still in list order), so `before=first_id` pages back;
 * - `has_more`: more items lie beyond the page in the direction of travel (past the end for
 *   `after` or no cursor, before the start for `before`).
 * A cursor keeps its place after its job was deleted or expired; an id never issued gives an
 * empty page.
 * `first_id`/`last_id`: the page's ends. On an empty page the jobs API (sora-1), whose schema has
 * no null for them, leaves them out; the videos API (sora-2), as OpenAI's, sends null.
 */

export interface ListPage {
  object: 'list';
  data: unknown[];
  has_more: boolean;
  first_id?: string | null;
  last_id?: string | null;
}

export function listPage(state: EmulatorState, family: Family, query: URLSearchParams, json: (j: EmJob) => unknown, keep?: (j: EmJob) => boolean): ListPage {
  const limitRaw = query.get('limit');
  const limit = limitRaw === null ? (family === 'sora-1' ? 10 : 20) : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw bad(family, `limit must be an integer between 0 and 100, got ${limitRaw}`, 'limit');
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw bad(family, `order must be asc or desc, got ${order}`, 'order');
  // List order: by creation time (newest first for desc), and jobs created in the same
  // millisecond in creation order either way (a total order, so cursors are exact).
  const cmp = (a: EmJob, b: EmJob) => (order === 'asc' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt) || a.seq - b.seq;
  const cursor = (name: string): EmJob | null | undefined => {
    const id = query.get(name);
    if (!id) return undefined;
    const j = state.known.get(id);
    return j && j.family === family ? j : null;
  };
  const after = cursor('after');
  const before = cursor('before');
  if (after === null || before === null) return ends(family, { object: 'list', data: [], has_more: false }, []);

  const items: EmJob[] = [];
  for (const j of state.jobs.values()) {
    if (j.family !== family) continue;
    if (after && cmp(j, after) <= 0) continue;
    if (before && cmp(j, before) >= 0) continue;
    if (keep && !keep(j)) continue;
    items.push(j);
  }
  items.sort(cmp);
  const backwards = before !== undefined && after === undefined;
  const page = backwards ? items.slice(Math.max(0, items.length - limit)) : items.slice(0, limit);
  return ends(family, { object: 'list', data: page.map(json), has_more: items.length > page.length }, page);
}

function ends(family: Family, list: ListPage, page: EmJob[]): ListPage {
  const first = page[0]?.id ?? null;
  const last = page.at(-1)?.id ?? null;
  if (family === 'sora-1' && first === null) return list;
  return { ...list, first_id: first, last_id: last };
}
