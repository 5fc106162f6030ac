/** The styles of what the chunks show (the compose form's fields, bar, markdown help and preview; the report,
 * appeal and subscribe forms, the delete confirmation, the notice on the reader's own held or refused comment):
 * not in app.css, since they are never on a reader's first view. One constructed sheet (the frame's CSP allows no inline style),
 * adopted once per frame whichever chunk comes first, and before the chunk's own sheet so that it can refine it. */
const ADOPTED = Symbol.for("parvis.chunk-styles");
const CSS = `.rf,.cf{display:grid;gap:.4rem;margin:.5rem 0;padding:.75rem;background:var(--parvis-soft);border-radius:var(--parvis-radius);font-size:.875rem}
.rf label{font-weight:600}.cf{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.mn{margin:.4rem 0;padding:.4rem .7rem;background:var(--parvis-soft);border-inline-start:3px solid var(--parvis-accent);font-size:.875rem}
.g{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:0 .6rem}.cp .g,.cp .bar{display:none}
.g .fd{grid-row:span 3;grid-template-rows:subgrid;margin-bottom:.4rem}
.bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:flex-end;gap:.4rem}
.md{margin-inline-end:auto;font-size:.8125rem;color:var(--parvis-muted)}.md[open]{flex-basis:100%}.md summary{cursor:pointer;padding:.3rem 0}
.md p{white-space:pre-line;font-family:ui-monospace,Menlo,Consolas,monospace;background:var(--parvis-soft);border-radius:6px;padding:.5rem .7rem;margin:.3rem 0 0}
.pv{border:1px dashed var(--parvis-line);border-radius:var(--parvis-radius);padding:.6rem .8rem;min-height:3rem}
.hp{inset-inline-start:-100vw}
.qb:not(:empty){display:flex;align-items:flex-start;gap:.5rem;flex-wrap:wrap;font-size:.875rem}.qb .mu{flex-basis:100%}.qb .q{flex:1;margin:0}`;

export function adoptChunkStyles() {
  const flags = document as unknown as Record<symbol, boolean>;
  if (flags[ADOPTED]) return;
  flags[ADOPTED] = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
