/**
 * The page's one stylesheet, inline (its hash is in the CSP). System fonts only: the page loads
 * nothing. Light and dark follow the system; the grid goes from one column on a phone to as many
 * as fit on a 4K screen.
 */
export const GALLERY_CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#d9dde3;--accent:#0b62d6;--chip:#eef1f5;
--ok:#1a7f37;--bad:#c0362c;--warn:#9a6700;--media:#0d1117;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:15px;line-height:1.4}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--accent:#4493f8;--chip:#21262d;
--ok:#3fb950;--bad:#f85149;--warn:#d29922;--media:#010409}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg)}
header{padding:12px clamp(12px,3vw,32px) 0}
h1{font-size:1.25rem;margin:0 0 2px}
.sub{margin:0;color:var(--muted);font-size:.875rem}
.totals{display:flex;flex-wrap:wrap;gap:6px 18px;margin:10px 0 0;padding:0;list-style:none;font-size:.9rem}
.totals b{font-variant-numeric:tabular-nums}
.totals .apart{color:var(--muted)}
/* Only the filter bar stays on screen while scrolling: the header would take a phone's screen. */
.filters{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;gap:8px;align-items:center;background:var(--bg);border-bottom:1px solid var(--line);padding:10px clamp(12px,3vw,32px)}
.filters input,.filters select{font:inherit;color:inherit;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:6px 10px;min-height:36px}
.filters input{flex:1 1 220px;min-width:0}
.filters select{flex:0 1 auto;max-width:100%}
@media (max-width:600px){.filters input{flex-basis:100%}.filters select{flex:1 1 0;min-width:0}}
.count{color:var(--muted);font-size:.875rem;font-variant-numeric:tabular-nums;margin-left:auto}
main{padding:16px clamp(12px,3vw,32px) 40px}
.grid{display:grid;gap:16px;grid-template-columns:repeat(auto-fill,minmax(min(100%,300px),1fr))}
@media (min-width:2400px){.grid{grid-template-columns:repeat(auto-fill,minmax(400px,1fr))}:root{font-size:17px}}
.card{display:flex;flex-direction:column;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden;min-width:0}
.card.s-failed,.card.s-cancelled{border-color:color-mix(in srgb,var(--bad) 45%,var(--line))}
.media{position:relative;aspect-ratio:16/9;background:var(--media);display:flex;align-items:center;justify-content:center}
.media video{position:absolute;inset:0;width:100%;height:100%;object-fit:contain;display:block}
.media.none{background:var(--chip)}
.play{position:absolute;inset:auto auto 10px 10px;width:44px;height:44px;border-radius:50%;border:0;background:rgba(0,0,0,.6);color:#fff;font-size:18px;cursor:pointer}
.play:hover,.play:focus-visible{background:var(--accent)}
.media.playing .play{display:none}
.reason{margin:0;padding:12px 16px;color:var(--fg);font-size:.875rem;text-align:center;overflow-wrap:anywhere;max-height:100%;overflow:auto}
.media:not(.none) .reason{color:#e6edf3}
.reason strong{display:block;margin-bottom:4px}
.s-failed .reason strong,.s-cancelled .reason strong{color:var(--bad)}
.variants{position:absolute;top:8px;right:8px;margin:0;display:flex;gap:4px}
.variant{font:inherit;font-size:.75rem;min-width:28px;min-height:28px;border:0;border-radius:4px;background:rgba(0,0,0,.6);color:#fff;cursor:pointer}
.variant[aria-pressed=true]{background:var(--accent)}
.body{padding:10px 12px 12px;display:flex;flex-direction:column;gap:6px;flex:1}
.prompt{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:4;line-clamp:4;overflow:hidden}
.meta{margin:0;display:flex;flex-wrap:wrap;gap:4px 10px;color:var(--muted);font-size:.8125rem;font-variant-numeric:tabular-nums}
.status{font-weight:600}
.s-completed .status{color:var(--ok)}.s-failed .status,.s-cancelled .status{color:var(--bad)}.s-queued .status,.s-running .status{color:var(--warn)}
.tags{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px}
.tags li{background:var(--chip);border-radius:999px;padding:1px 8px;font-size:.75rem;overflow-wrap:anywhere}
.foot{margin:auto 0 0;display:flex;flex-wrap:wrap;align-items:center;gap:4px 10px;color:var(--muted);font-size:.8125rem}
.foot time{margin-right:auto}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8125rem;overflow-wrap:anywhere}
.copy{font:inherit;font-size:.75rem;color:var(--accent);background:none;border:1px solid var(--line);border-radius:4px;padding:2px 8px;min-height:28px;cursor:pointer}
button:focus-visible,input:focus-visible,select:focus-visible,video:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.empty{color:var(--muted);text-align:center;padding:48px 0}
`;
