import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../src/output/gallery/html.js';
import { contentSecurityPolicy, remoteOrigin, renderGalleryPage } from '../../src/output/gallery/page.js';
import type { GalleryCard } from '../../src/output/gallery/model.js';
import { type GalleryRow, galleryTotals, playableSources } from '../../src/videos/gallery.js';
import { HOSTILE_PROMPT, scriptsOf } from './gallery-fixtures.js';

const row = (over: Partial<GalleryRow> = {}): GalleryRow => ({
  id: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  status: 'completed',
  prompt: 'a fox',
  sora_model: 'sora-2',
  sora_version: 'sora-2',
  width: 1280,
  height: 720,
  duration: 4,
  variants: 1,
  tags: {},
  estimated_cost: 0.4,
  failure_reason: null,
  profile_name: 'main',
  job_id: 'video_1',
  batch_id: null,
  batch_line: null,
  created_at: new Date('2026-11-29T10:00:00Z'),
  url: null,
  azure_video_id: null,
  path: null,
  videos: [],
  ...over,
});
const tally = { count: 1, cost: 0.4, seconds: 4 };
const video = (over: Partial<GalleryRow['videos'][number]>) => ({
  id: 'v1',
  url: '',
  thumbnail_url: null,
  azure_video_id: null,
  path: null,
  thumbnail_path: null,
  ...over,
});

describe('the gallery page, from plain data', () => {
  it('escapes text and attributes alike: markup, quotes, controls and bidi overrides become visible text', () => {
    expect(escapeHtml(`<b a="1" b='2'>&`)).toBe('&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;');
    expect(escapeHtml('bell\u0007 esc\u001b[31m rtl\u202e')).toBe('bell\\x07 esc\\e[31m rtl\\u202e');
    const card = (over: Partial<GalleryCard>): GalleryCard => ({
      id: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
      status: 'completed',
      prompt: 'a fox',
      model: 'sora-2',
      size: '1280x720',
      seconds: 4,
      variants: 1,
      tags: {},
      estimatedCost: 0.4,
      failureReason: null,
      createdAt: new Date('2026-11-29T10:00:00Z'),
      batchLine: null,
      media: [],
      ...over,
    });
    const html = renderGalleryPage({
      title: HOSTILE_PROMPT,
      note: HOSTILE_PROMPT,
      generatedAt: new Date(),
      cards: [
        card({
          id: `"><script>alert(1)</script>`,
          prompt: HOSTILE_PROMPT,
          tags: { [HOSTILE_PROMPT]: HOSTILE_PROMPT },
          status: HOSTILE_PROMPT,
          model: HOSTILE_PROMPT,
          size: HOSTILE_PROMPT,
          media: [{ videoId: HOSTILE_PROMPT, src: `x.mp4" onerror="alert(1)`, poster: null }],
        }),
        card({ status: 'failed', failureReason: HOSTILE_PROMPT }),
        card({
          media: [
            { videoId: 'a', src: null, poster: null },
            { videoId: HOSTILE_PROMPT, src: `"><img src=x>`, poster: `"><img src=y>` },
          ],
        }),
      ],
      totals: { byStatus: [{ status: HOSTILE_PROMPT, count: 1 }], completed: tally, failed: tally, inFlight: tally },
    });
    expect(scriptsOf(html)).toHaveLength(1);
    expect(html).not.toMatch(/<img|onmouseover="|onerror="|\u0007|\u202e/);
  });

  it('plays a local file by a relative reference below the page, else by file: URL; a storage URL as recorded; nothing else', () => {
    const videos = [
      video({ id: 'a', path: '/work/out/octo-videos/a b#1.mp4', thumbnail_path: '/work/out/octo-videos/a.jpg' }),
      video({ id: 'b', path: '/elsewhere/b.mp4' }),
      video({ id: 'c', url: 'https://acct.blob.core.windows.net/c/v.mp4?sig=x', thumbnail_url: 'https://acct.blob.core.windows.net/c/v.jpg?sig=x' }),
      video({ id: 'd', url: 'javascript:alert(1)', thumbnail_url: 'data:image/png;base64,AAAA' }),
      video({ id: 'e', url: '/work/out/octo-videos/gone.mp4' }),
    ];
    const media = videos.map((v) => ({ videoId: v.id, ...playableSources(v, '/work/out') }));
    expect(media).toEqual([
      { videoId: 'a', src: 'octo-videos/a%20b%231.mp4', poster: 'octo-videos/a.jpg' },
      { videoId: 'b', src: 'file:///elsewhere/b.mp4', poster: null },
      { videoId: 'c', src: 'https://acct.blob.core.windows.net/c/v.mp4?sig=x', poster: 'https://acct.blob.core.windows.net/c/v.jpg?sig=x' },
      { videoId: 'd', src: null, poster: null },
      { videoId: 'e', src: null, poster: null },
    ]);
    // Printed to stdout, the page has no folder: local files by file: URL.
    expect(playableSources(videos[0]!, null).src).toBe('file:///work/out/octo-videos/a%20b%231.mp4');
    const cards = [{ media }] as unknown as GalleryCard[];
    expect(contentSecurityPolicy(cards)).toContain("media-src 'self' https://acct.blob.core.windows.net;");
  });

  it('lets the CSP name only plain http(s) origins', () => {
    expect(remoteOrigin('https://acct.blob.core.windows.net/x?sig=1')).toBe('https://acct.blob.core.windows.net');
    expect(remoteOrigin('http://127.0.0.1:10000/devstoreaccount1/x')).toBe('http://127.0.0.1:10000');
    expect(remoteOrigin('https://a;script-src *.example/x')).toBeUndefined();
    expect(remoteOrigin("https://a'b.example/")).toBeUndefined();
    expect(remoteOrigin('javascript:alert(1)')).toBeUndefined();
    expect(remoteOrigin('octo-videos/a.mp4')).toBeUndefined();
  });

  it('totals: completed spend as costs adds it, failed and cancelled apart (both spellings), seconds times variants', () => {
    const totals = galleryTotals([
      row({ estimated_cost: 0.4, duration: 4, variants: 2 }),
      row({ status: 'succeeded', estimated_cost: 0.1, duration: 8 }),
      row({ status: 'failed', estimated_cost: 1 }),
      row({ status: 'canceled', estimated_cost: 2 }),
      row({ status: 'cancelled', estimated_cost: 3 }),
      row({ status: 'running', estimated_cost: 5 }),
    ]);
    expect(totals.completed).toEqual({ count: 2, cost: 0.5, seconds: 16 });
    expect(totals.failed).toMatchObject({ count: 3, cost: 6 });
    expect(totals.inFlight).toMatchObject({ count: 1, cost: 5 });
    expect(totals.byStatus).toEqual([
      { status: 'completed', count: 2 },
      { status: 'failed', count: 1 },
      { status: 'cancelled', count: 2 },
      { status: 'running', count: 1 },
    ]);
  });
});
