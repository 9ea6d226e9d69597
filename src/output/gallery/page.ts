import { createHash } from 'node:crypto';
import { formatUsd } from '../../core/money.js';
import { renderCard } from './cards.js';
import { escapeHtml as h } from './html.js';
import type { GalleryCard, GalleryPage, GalleryTotals } from './model.js';
import { GALLERY_JS } from './script.js';
import { GALLERY_CSS } from './style.js';

/**
 * `octo videos gallery`'s page: one self-contained HTML document (inline stylesheet and script,
 * no font, CDN or analytics), whose Content-Security-Policy lets it run only its own script and
 * style (by hash) and load media only from the page's own folder tree and the storage origins its
 * videos are recorded at: a prompt that smuggled markup in could neither run nor fetch anything.
 */
export function renderGalleryPage(page: GalleryPage): string {
  const statuses = page.totals.byStatus.map((s) => s.status);
  const tags = [...new Set(page.cards.flatMap((c) => Object.entries(c.tags).map(([k, v]) => `${k}=${v}`)))].sort();
  const option = (value: string, label = value) => `<option value="${h(value)}">${h(label)}</option>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(page.cards)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${h(page.title)} · octo gallery</title>
<style>${GALLERY_CSS}</style>
</head>
<body>
<header>
<h1>${h(page.title)}</h1>
<p class="sub">Made by octo on <time datetime="${page.generatedAt.toISOString()}">${page.generatedAt.toISOString()}</time>${page.note ? ` · ${h(page.note)}` : ''}</p>
${renderTotals(page.totals, page.cards.length)}
</header>
<div class="filters" role="search">
<input id="q" type="search" placeholder="Filter by prompt, tag, id… (press /)" aria-label="Filter by text" autocomplete="off">
<select id="status" aria-label="Status">${option('', 'any status')}${statuses.map((s) => option(s)).join('')}</select>
<select id="tag" aria-label="Tag"${tags.length ? '' : ' hidden'}>${option('', 'any tag')}${tags.map((t) => option(t)).join('')}</select>
<span id="count" class="count" aria-live="polite">${page.cards.length} shown</span>
</div>
<main>
<div class="grid">
${page.cards.map(renderCard).join('\n')}
</div>
<p id="none" class="empty"${page.cards.length ? ' hidden' : ''}>${page.cards.length ? 'No card matches the filter.' : 'No generations to show.'}</p>
</main>
<script>${GALLERY_JS}</script>
</body>
</html>
`;
}

function renderTotals(t: GalleryTotals, count: number): string {
  const seconds = t.completed.seconds;
  const length = seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
  const items = [
    `<li><b>${count}</b> generation${count === 1 ? '' : 's'}</li>`,
    ...t.byStatus.map((s) => `<li><b>${s.count}</b> ${h(s.status)}</li>`),
    `<li><b>${formatUsd(t.completed.cost)}</b> estimated for ${t.completed.count} completed</li>`,
    `<li><b>${length}</b> of video</li>`,
  ];
  if (t.failed.count) items.push(`<li class="apart">${formatUsd(t.failed.cost)} estimated for ${t.failed.count} failed or cancelled (not in the total)</li>`);
  if (t.inFlight.count) items.push(`<li class="apart">${formatUsd(t.inFlight.cost)} estimated for ${t.inFlight.count} still running</li>`);
  return `<ul class="totals">${items.join('')}</ul>`;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Nothing by default; the page's own script and style by hash; media and posters from the page's
 * folder tree ('self', and file: for a page opened from disk, which has no origin of its own) and
 * from each http(s) origin a video is recorded at. No connect, frame, font, object, form or base.
 * Built from fixed text, hashes and origins checked to be plain host names, so it needs no escaping
 * in its attribute (it holds no `"`, `<` or `&`).
 */
export function contentSecurityPolicy(cards: readonly GalleryCard[]): string {
  const origins = new Set<string>();
  for (const c of cards) {
    for (const m of c.media) {
      for (const ref of [m.src, m.poster]) {
        const origin = ref ? remoteOrigin(ref) : undefined;
        if (origin) origins.add(origin);
      }
    }
  }
  const media = ["'self'", ...[...origins].sort()].join(' ');
  return [
    "default-src 'none'",
    `script-src ${sha256(GALLERY_JS)}`,
    `style-src ${sha256(GALLERY_CSS)}`,
    `img-src ${media}`,
    `media-src ${media}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The origin of an http(s) reference, when it is a plain host[:port] (anything else is never allowed). */
export function remoteOrigin(ref: string): string | undefined {
  if (!/^https?:\/\//i.test(ref)) return undefined;
  try {
    const origin = new URL(ref).origin;
    return /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
}
