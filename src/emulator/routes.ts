import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './state.js';

/**
 * The route table: method + path pattern → handler. A pattern's `{name}` segments match one
 * path segment (URL-decoded into `params`); the first route matching both method and path wins.
 * Each request is counted in stats under `METHOD pattern`.
 */

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  /** The pattern's `{name}` segments, decoded. */
  params: Record<string, string>;
  /** The request's time (the clock, read once). */
  t: number;
  state: EmulatorState;
}

/** A JSON reply for the server to send, or `sent` when the handler wrote the response itself. */
export type Result = { status: number; body?: unknown } | 'sent';

export interface Route {
  method: string | readonly string[];
  /** Below /openai/v1, e.g. `/videos/{id}/content`. */
  path: string;
  handler: (ctx: RequestContext) => Result | Promise<Result>;
}

export interface Match {
  route: Route;
  params: Record<string, string>;
  /** The stats key: `METHOD pattern`. */
  key: string;
}

export interface RouteTable {
  match(method: string, path: string): Match | undefined;
}

export function routeTable(routes: readonly Route[]): RouteTable {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]!);
        return '([^/]+)';
      })
      .join('/');
    const methods = new Set(typeof route.method === 'string' ? [route.method] : route.method);
    return { route, methods, names, regex: new RegExp(`^${source}$`) };
  });
  return {
    match(method, path) {
      for (const c of compiled) {
        if (!c.methods.has(method)) continue;
        const m = c.regex.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        try {
          c.names.forEach((name, i) => {
            params[name] = decodeURIComponent(m[i + 1]!);
          });
        } catch {
          continue; // a malformed escape matches no route
        }
        return { route: c.route, params, key: `${method} ${c.route.path}` };
      }
      return undefined;
    },
  };
}
