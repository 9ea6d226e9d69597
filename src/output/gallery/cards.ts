import { formatUsd } from '../../core/money.js';
import { attrJson, escapeHtml as h } from './html.js';
import type { GalleryCard, GalleryMedia } from './model.js';

/**
 * One card per generation. Every value from a user or a server goes through `h` (text and quoted
 * attributes alike); the markup around it is fixed. No inline style or handler: the page's CSP
 * allows only its own stylesheet and script, which find the cards by class and data attributes.
 */

const KNOWN_STATUSES = new Set(['completed', 'failed', 'cancelled', 'queued', 'running']);

export function renderCard(card: GalleryCard): string {
  const status = card.status;
  const tone = KNOWN_STATUSES.has(status) ? status : 'other';
  const tags = Object.entries(card.tags).map(([k, v]) => `${k}=${v}`);
  const short = card.id.slice(0, 8);
  return `<article class="card s-${tone}" data-status="${h(status)}" data-tags="${attrJson(tags)}">
${renderMedia(card, status)}<div class="body">
<p class="prompt" title="${h(card.prompt)}">${h(card.prompt)}</p>
<p class="meta"><span class="status">${h(status)}</span><span>${h(card.model)}</span><span>${h(card.size)}</span><span>${card.seconds} s</span>${
    card.variants > 1 ? `<span>${card.variants} variants</span>` : ''
  }<span>${formatUsd(card.estimatedCost)}</span>${card.batchLine === null ? '' : `<span>line ${card.batchLine}</span>`}</p>
${tags.length ? `<ul class="tags">${tags.map((t) => `<li>${h(t)}</li>`).join('')}</ul>\n` : ''}<p class="foot"><time datetime="${card.createdAt.toISOString()}">${card.createdAt
    .toISOString()
    .slice(0, 16)
    .replace(
      'T',
      ' ',
    )} UTC</time><code class="id" title="${h(card.id)}">${h(short)}</code><button type="button" class="copy" data-copy="${h(card.id)}" aria-label="Copy the id ${h(card.id)}">Copy id</button></p>
</div></article>`;
}

function renderMedia(card: GalleryCard, status: string): string {
  if (status === 'failed' || status === 'cancelled') {
    const what = status === 'failed' ? 'Failed' : 'Cancelled';
    return `<div class="media none"><p class="reason"><strong>${what}</strong>${h(card.failureReason ?? 'no reason was recorded')}</p></div>\n`;
  }
  if (status === 'queued' || status === 'running') {
    return `<div class="media none"><p class="reason"><strong>${status === 'queued' ? 'Queued' : 'Running'}</strong>finish it with <code>octo jobs wait ${h(card.id.slice(0, 8))}</code></p></div>\n`;
  }
  const first = card.media[0];
  if (!first) return '<div class="media none"><p class="reason"><strong>No video</strong>none was recorded for this generation</p></div>\n';
  const switcher =
    card.media.length > 1
      ? `<p class="variants">${card.media.map((m, i) => `<button type="button" class="variant" data-variant="${attrJson(sourceOf(m))}" aria-pressed="${i === 0}">${i + 1}</button>`).join('')}</p>`
      : '';
  return `<div class="media">${videoTag(first)}${switcher}</div>\n`;
}

const sourceOf = (m: GalleryMedia) => ({ src: m.src, poster: m.poster, id: m.videoId });

/**
 * The player, and the line shown instead when a variant is not on this machine (the script
 * switches between them when another variant is picked).
 */
function videoTag(m: GalleryMedia): string {
  // Nothing loads until asked (a hover, a click): a page of 200 videos opens at once. Without a
  // poster the first frame is the picture, so only the metadata is read.
  const poster = m.poster ? ` poster="${h(m.poster)}"` : '';
  const video = `<video${m.src ? ` src="${h(m.src)}"` : ''}${poster} preload="${m.poster ? 'none' : 'metadata'}" playsinline loop muted${m.src ? '' : ' hidden'}></video>`;
  const play = `<button type="button" class="play" aria-label="Play"${m.src ? '' : ' hidden'}>▶</button>`;
  const missing = `<p class="reason missing"${m.src ? ' hidden' : ''}><strong>Not downloaded</strong><code>octo videos download ${h(m.videoId)}</code></p>`;
  return video + play + missing;
}
