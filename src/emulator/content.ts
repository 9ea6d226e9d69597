import type { ServerResponse } from 'node:http';
import { notFound } from './http.js';
import { jpegBody, mp4Body, webpBody } from './media.js';
import type { EmulatorState } from './state.js';
import type { EmJob } from './types.js';

/** Serves a finished job's media (both families): MP4 streamed chunk by chunk, images whole. */
export async function sendContent(state: EmulatorState, res: ServerResponse, method: string, kind: 'mp4' | 'jpg' | 'webp', j: EmJob, t: number) {
  const early = state.options.contentEarly404Ms;
  if (early && j.finishedAt !== null && t - j.finishedAt < early) throw notFound(j.family, 'content');
  const headers: Record<string, string> = {
    'last-modified': new Date(j.finishedAt ?? t).toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (kind !== 'mp4') {
    const body = kind === 'jpg' ? jpegBody() : webpBody();
    res.writeHead(200, { ...headers, 'content-type': kind === 'jpg' ? 'image/jpg' : 'image/webp', 'content-length': String(body.length) });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const mp4 = mp4Body({ width: j.width, height: j.height, seconds: j.seconds }, state.options.videoBytes);
  res.writeHead(200, { ...headers, 'content-type': 'video/mp4', 'content-length': String(mp4.size) });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  const cut = state.downloadsToCut > 0;
  if (cut) state.downloadsToCut--;
  let sent = 0;
  for (const chunk of mp4.chunks()) {
    if (cut && sent + chunk.length >= mp4.size / 2) {
      res.write(chunk.subarray(0, Math.max(0, Math.floor(mp4.size / 2) - sent)));
      // Let the partial bytes leave, then drop the connection mid-body.
      await new Promise((r) => setImmediate(r));
      res.socket?.destroy();
      return;
    }
    sent += chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
      if (res.destroyed) return;
    }
  }
  res.end();
}
