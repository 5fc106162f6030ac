/**
 * Inline comments on the publisher's page, loaded by the loader only when the page names its article
 * (`data-parvis-article`). A reader selects a passage, a small "Comment on this passage" button appears next
 * to it, and the app opens its compose box with the passage's TextQuoteSelector. Passages that have comments
 * are marked with the CSS Custom Highlight API; clicking one opens its comments in the app.
 *
 * The only things added to the host page: the button (while a passage is selected) and one constructed
 * style sheet for `::highlight(parvis-passages)` (themeable with --parvis-highlight). The article's own DOM
 * is never touched.
 */
import type { TextQuote, ToApp } from "../protocol";
import { type ArticleText, describe, locate, offsetAt, rangeAt, readArticle } from "./anchoring";

export interface InlineHost {
  article: Element;
  /** Posts a message to the app (the loader adds the target origin). */
  post(message: ToApp): void;
  /** Scrolls the host page to the comment frame. */
  reveal(): void;
}

export interface InlineController {
  setAnchors(anchors: Array<{ id: number; quote: TextQuote }>): void;
}

export type InlineInit = (host: InlineHost) => InlineController;

const LABELS: Record<string, string> = {
  fr: "Commenter ce passage",
  en: "Comment on this passage",
  he: "להגיב על קטע זה",
  ar: "علّق على هذا المقطع",
};
const HIGHLIGHT = "parvis-passages";
const STYLED = Symbol.for("parvis.highlight-style");

function init({ article, post, reveal }: InlineHost): InlineController {
  const lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  let passages: Array<{ range: Range; ids: number[] }> = [];
  let selected: Range | null = null;

  const button = document.createElement("button");
  button.type = "button";
  button.className = "parvis-inline-button";
  button.textContent = LABELS[lang] ?? LABELS.en!;
  button.dir = lang === "he" || lang === "ar" ? "rtl" : "ltr";
  // The host page's CSS is unknown: set everything that matters inline.
  Object.assign(button.style, {
    position: "absolute",
    zIndex: "2147483000",
    margin: "0",
    padding: "6px 10px",
    border: "1px solid #555",
    borderRadius: "4px",
    background: "#1f1f1f",
    color: "#fff",
    font: "600 14px/1.2 system-ui, sans-serif",
    cursor: "pointer",
    boxShadow: "0 2px 6px rgba(0,0,0,.3)",
    whiteSpace: "nowrap",
    width: "auto",
    height: "auto",
    textTransform: "none",
    letterSpacing: "normal",
  } satisfies Partial<CSSStyleDeclaration>);

  const hide = () => {
    selected = null;
    button.remove();
  };

  const show = (range: Range) => {
    selected = range.cloneRange();
    const rects = range.getClientRects();
    const rect = rects[rects.length - 1] ?? range.getBoundingClientRect();
    if (!button.isConnected) document.body.append(button);
    // Place the button under the end of the selection, whatever the positioned ancestor of <body> is.
    button.style.left = button.style.top = "0px";
    const origin = button.getBoundingClientRect();
    const end = getComputedStyle(article).direction === "rtl" ? rect.left : rect.right;
    const left = Math.max(4, Math.min(end - origin.width / 2, document.documentElement.clientWidth - origin.width - 4));
    button.style.left = `${left - origin.left}px`;
    button.style.top = `${rect.bottom + 8 - origin.top}px`;
  };

  let pending = 0;
  document.addEventListener("selectionchange", () => {
    clearTimeout(pending);
    pending = window.setTimeout(() => {
      const selection = getSelection();
      const range = selection && selection.rangeCount ? selection.getRangeAt(0) : null;
      if (range && !range.collapsed && article.contains(range.commonAncestorContainer) && range.toString().trim()) show(range);
      else if (document.activeElement !== button) hide();
    }, 150);
  });

  // Keyboard: while a passage is selected, Tab goes to the button; Escape dismisses it.
  document.addEventListener("keydown", (event) => {
    if (!selected) return;
    if (event.key === "Tab" && !event.shiftKey && document.activeElement !== button && (document.activeElement === document.body || article.contains(document.activeElement))) {
      event.preventDefault();
      button.focus();
    } else if (event.key === "Escape") hide();
  });
  button.addEventListener("blur", () => {
    const selection = getSelection();
    if (!selection || selection.isCollapsed) hide();
  });
  // Keep the selection when the button is pressed.
  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => {
    if (!selected) return;
    const text = readArticle(article);
    const start = offsetAt(text, selected.startContainer, selected.startOffset);
    const end = offsetAt(text, selected.endContainer, selected.endOffset);
    const quote = describe(text.text, start, end);
    hide();
    if (!quote.exact) return;
    getSelection()?.removeAllRanges();
    post({ parvis: 1, type: "compose-inline", quote });
    reveal();
  });

  // A click on a marked passage opens its comments.
  article.addEventListener("click", (event) => {
    const { clientX, clientY } = event as MouseEvent;
    if (!passages.length || !(getSelection()?.isCollapsed ?? true)) return;
    const doc = document as Document & { caretPositionFromPoint?(x: number, y: number): { offsetNode: Node; offset: number } | null };
    let node: Node | undefined;
    let offset = 0;
    if (doc.caretPositionFromPoint) {
      const position = doc.caretPositionFromPoint(clientX, clientY);
      if (position) [node, offset] = [position.offsetNode, position.offset];
    } else {
      const range = document.caretRangeFromPoint?.(clientX, clientY);
      if (range) [node, offset] = [range.startContainer, range.startOffset];
    }
    if (!node) return;
    const ids = new Set<number>();
    for (const passage of passages) {
      try {
        if (passage.range.isPointInRange(node, offset)) for (const id of passage.ids) ids.add(id);
      } catch {
        // a point in another document or a doctype: not in any passage
      }
    }
    if (!ids.size) return;
    post({ parvis: 1, type: "open-passage", ids: [...ids] });
    reveal();
  });

  // The highlight's look, once per page, as a constructed style sheet: no element is added, and a host page
  // whose CSP forbids inline styles (style-src without 'unsafe-inline') still shows it.
  const highlights = (globalThis.CSS as { highlights?: Map<string, unknown> } | undefined)?.highlights;
  const flags = window as unknown as Record<symbol, boolean>;
  if (highlights && !flags[STYLED]) {
    flags[STYLED] = true;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`::highlight(${HIGHLIGHT}){background-color:var(--parvis-highlight,rgba(255,196,0,.35));text-decoration:underline dotted 1px}`);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }

  return {
    setAnchors(anchors) {
      const text: ArticleText = readArticle(article);
      const byPlace = new Map<string, { range: Range; ids: number[] }>();
      const orphans: number[] = [];
      for (const { id, quote } of anchors) {
        const span = quote && typeof quote.exact === "string" ? locate(text.text, { exact: quote.exact, prefix: String(quote.prefix ?? ""), suffix: String(quote.suffix ?? "") }) : null;
        const range = span && rangeAt(text, span);
        if (!span || !range) {
          orphans.push(id);
          continue;
        }
        const place = `${span.start}:${span.end}`;
        const known = byPlace.get(place);
        if (known) known.ids.push(id);
        else byPlace.set(place, { range, ids: [id] });
      }
      passages = [...byPlace.values()];
      if (highlights && typeof Highlight === "function") {
        if (passages.length) highlights.set(HIGHLIGHT, new Highlight(...passages.map((passage) => passage.range)));
        else highlights.delete(HIGHLIGHT);
      }
      post({ parvis: 1, type: "anchors-resolved", orphans });
    },
  };
}

(window as unknown as Record<symbol, InlineInit>)[Symbol.for("parvis.inline")] = init;
