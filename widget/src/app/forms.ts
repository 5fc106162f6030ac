/** The styles of the forms the chunks open (report, appeal, delete confirmation, subscribe panel): not in
 * app.css, since most readers never open one. One constructed sheet (the frame's CSP allows no inline style),
 * adopted once per frame whichever chunk comes first, and before the chunk's own sheet so that it can refine it. */
const ADOPTED = Symbol.for("parvis.form-styles");
const CSS = `.rf,.cf{display:grid;gap:.4rem;margin:.5rem 0;padding:.75rem;background:var(--parvis-soft);border-radius:var(--parvis-radius);font-size:.875rem}
.rf label{font-weight:600}.cf{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}`;

export function adoptFormStyles() {
  const flags = document as unknown as Record<symbol, boolean>;
  if (flags[ADOPTED]) return;
  flags[ADOPTED] = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
