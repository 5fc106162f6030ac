/** The styles of what the chunks show (the report, appeal and subscribe forms, the delete confirmation, the
 * notice on the reader's own held or refused comment): not in app.css, since most readers never see one. One constructed sheet (the frame's CSP allows no inline style),
 * adopted once per frame whichever chunk comes first, and before the chunk's own sheet so that it can refine it. */
const ADOPTED = Symbol.for("parvis.chunk-styles");
const CSS = `.rf,.cf{display:grid;gap:.4rem;margin:.5rem 0;padding:.75rem;background:var(--parvis-soft);border-radius:var(--parvis-radius);font-size:.875rem}
.rf label{font-weight:600}.cf{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
.mn{margin:.4rem 0;padding:.4rem .7rem;background:var(--parvis-soft);border-inline-start:3px solid var(--parvis-accent);font-size:.875rem}`;

export function adoptChunkStyles() {
  const flags = document as unknown as Record<symbol, boolean>;
  if (flags[ADOPTED]) return;
  flags[ADOPTED] = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
