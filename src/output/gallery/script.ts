/**
 * The page's one script, inline (its hash is in the CSP). It only reads the cards' text and data
 * attributes and writes with textContent, hidden and attributes, never with markup, so nothing
 * from a prompt is ever parsed as HTML. It makes no request: videos load through their elements.
 */
export const GALLERY_JS = `
(() => {
  'use strict';
  const cards = Array.from(document.querySelectorAll('.card'));
  const q = document.getElementById('q');
  const status = document.getElementById('status');
  const tag = document.getElementById('tag');
  const count = document.getElementById('count');
  const empty = document.getElementById('none');

  const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  for (const t of document.querySelectorAll('time[datetime]')) {
    const d = new Date(t.getAttribute('datetime'));
    if (!Number.isNaN(d.getTime())) {
      t.title = t.textContent;
      t.textContent = local.format(d);
    }
  }

  const text = new Map(cards.map((c) => [c, c.textContent.toLowerCase()]));
  const tagsOf = new Map(cards.map((c) => [c, JSON.parse(c.dataset.tags || '[]')]));
  function filter() {
    const words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const c of cards) {
      const hay = text.get(c);
      const ok = words.every((w) => hay.includes(w)) && (!status.value || c.dataset.status === status.value) && (!tag.value || tagsOf.get(c).includes(tag.value));
      c.hidden = !ok;
      if (ok) shown += 1;
    }
    count.textContent = shown === cards.length ? cards.length + ' shown' : shown + ' of ' + cards.length + ' shown';
    empty.hidden = shown > 0;
  }
  q.addEventListener('input', filter);
  status.addEventListener('change', filter);
  tag.addEventListener('change', filter);
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && document.activeElement !== q && !(document.activeElement instanceof HTMLInputElement)) {
      e.preventDefault();
      q.focus();
    } else if (e.key === 'Escape' && document.activeElement === q) {
      q.value = '';
      filter();
    }
  });
  filter();

  // Playing: a click (or Enter on the play button) plays with sound and controls; hovering a card
  // previews it muted. One plays with sound at a time.
  let current = null;
  function start(media) {
    const v = media.querySelector('video');
    if (!v || v.hidden) return;
    if (current && current !== media) stop(current);
    current = media;
    media.classList.add('playing');
    v.controls = true;
    v.muted = false;
    v.play().catch(() => undefined);
  }
  function stop(media) {
    const v = media.querySelector('video');
    media.classList.remove('playing');
    v.pause();
    v.controls = false;
    v.muted = true;
    if (current === media) current = null;
  }
  for (const media of document.querySelectorAll('.media')) {
    const v = media.querySelector('video');
    if (!v) continue;
    media.querySelector('.play').addEventListener('click', () => start(media));
    v.addEventListener('click', () => { if (!media.classList.contains('playing')) start(media); });
    media.addEventListener('pointerenter', (e) => {
      if (e.pointerType === 'mouse' && !media.classList.contains('playing') && !v.hidden) { v.muted = true; v.play().catch(() => undefined); }
    });
    media.addEventListener('pointerleave', () => { if (!media.classList.contains('playing')) v.pause(); });
    v.addEventListener('error', () => {
      const why = media.querySelector('.missing');
      why.firstChild.textContent = 'Cannot play this file';
      why.lastChild.textContent = v.currentSrc || v.getAttribute('src') || '';
      why.hidden = false;
      v.hidden = true;
      media.querySelector('.play').hidden = true;
    });
    for (const b of media.querySelectorAll('.variant')) {
      b.addEventListener('click', () => {
        const s = JSON.parse(b.dataset.variant);
        for (const o of media.querySelectorAll('.variant')) o.setAttribute('aria-pressed', String(o === b));
        const playing = media.classList.contains('playing');
        if (playing) stop(media);
        const why = media.querySelector('.missing');
        if (s.poster) v.poster = s.poster; else v.removeAttribute('poster');
        if (s.src) {
          v.src = s.src;
          v.hidden = false;
          why.hidden = true;
          media.querySelector('.play').hidden = false;
          if (playing) start(media);
        } else {
          v.removeAttribute('src');
          v.hidden = true;
          media.querySelector('.play').hidden = true;
          why.firstChild.textContent = 'Not downloaded';
          why.lastChild.textContent = 'octo videos download ' + s.id;
          why.hidden = false;
        }
      });
    }
  }

  for (const b of document.querySelectorAll('.copy')) {
    b.addEventListener('click', () => {
      const id = b.dataset.copy;
      const done = () => { b.textContent = 'Copied'; setTimeout(() => { b.textContent = 'Copy id'; }, 1500); };
      const fallback = () => {
        const code = b.parentElement.querySelector('code');
        code.textContent = id;
        getSelection().selectAllChildren(code);
        if (document.execCommand('copy')) done();
      };
      if (navigator.clipboard) navigator.clipboard.writeText(id).then(done, fallback); else fallback();
    });
  }
})();
`;
