/**
 * embed.js: runs on the publisher's page. Reads its data-parvis-* attributes, creates the app's iframe on
 * the Parvis origin when the comment block nears the viewport, and talks to it through the typed,
 * origin-checked messages of protocol.ts. Any failure logs one console error and leaves the page as it was.
 */
import { isToLoader, type TextQuote, type ToApp } from "../protocol";
import type { InlineController, InlineInit } from "./inline";
import { loginTarget } from "./navigate";

declare const __INLINE_CHUNK__: string;

const fail = (message: string) => console.error(`Parvis: ${message}`);

const script = (document.currentScript ?? document.querySelector("script[src*='embed'][data-parvis-site]")) as HTMLScriptElement | null;
/** The element a selector names, or null (also when the selector is not valid CSS). */
const find = (selector: string) => {
  try {
    return document.querySelector(selector);
  } catch {
    return null;
  }
};

function start(script: HTMLScriptElement) {
  const data = script.dataset;
  const site = data.parvisSite;
  if (!site) return fail("the embed script has no data-parvis-site attribute.");
  const parvis = new URL(script.src).origin;
  const selector = data.parvisContainer || "#parvis-thread";
  const container = find(selector);
  if (!container) return fail(`no element matches ${selector} to hold the comments.`);

  const vars: Record<string, string> = {};
  if (data.parvisTheme) {
    try {
      for (const [name, value] of Object.entries(JSON.parse(data.parvisTheme) as object)) {
        if (name.startsWith("--") && typeof value === "string") vars[name] = value;
      }
    } catch {
      fail("data-parvis-theme is not valid JSON; the default theme is used.");
    }
  }

  const canonical = document.querySelector<HTMLLinkElement>("link[rel=canonical][href]")?.href;
  const url = canonical || location.href.split("#")[0]!;
  const params = new URLSearchParams({ key: data.parvisId || url, url, title: document.title, origin: location.origin });
  // The reader's language: data-parvis-lang, else the page's own <html lang>; the server falls back to the
  // site's language when it has no translation for it.
  const lang = (data.parvisLang || document.documentElement.lang).slice(0, 2).toLowerCase();
  if (lang) params.set("lang", lang);

  const frame = document.createElement("iframe");
  let inline: InlineController | "loading" | undefined;
  let anchors: Array<{ id: number; quote: TextQuote }> | undefined;
  let timer = 0;

  const post = (message: ToApp) => frame.contentWindow?.postMessage(message, parvis);
  const reduced = () => matchMedia("(prefers-reduced-motion: reduce)").matches;
  // Brings the point `offset` pixels into the frame to a quarter of the viewport's height.
  const scrollTo = (offset: number) =>
    window.scrollTo({ top: frame.getBoundingClientRect().top + scrollY + offset - innerHeight / 4, behavior: reduced() ? "auto" : "smooth" });
  const article = () => (data.parvisArticle ? find(data.parvisArticle) : null);

  const loadInline = (element: Element) => {
    inline = "loading";
    const chunk = document.createElement("script");
    chunk.src = `${parvis}/static/parvis-widget/${__INLINE_CHUNK__}`;
    chunk.async = true;
    chunk.onload = () => {
      const init = (window as unknown as Record<symbol, InlineInit | undefined>)[Symbol.for("parvis.inline")];
      if (typeof init !== "function") return;
      inline = init({ article: element, post, reveal: () => scrollTo(0) });
      if (anchors) inline.setAnchors(anchors);
    };
    chunk.onerror = () => fail("the inline comments script could not be loaded.");
    document.head.append(chunk);
  };

  addEventListener("message", (event) => {
    if (event.origin !== parvis || event.source !== frame.contentWindow || !isToLoader(event.data)) return;
    const message = event.data;
    switch (message.type) {
      case "ready": {
        clearTimeout(timer);
        const element = article();
        const permalink = /^#comment-(\d+)$/.exec(location.hash);
        // data-parvis-sso-token: the publisher's backend signed it for this page view; the app exchanges it once.
        post({ parvis: 1, type: "init", theme: { vars, scheme: "auto" }, permalink: permalink ? Number(permalink[1]) : null, hasArticle: !!element,
          sso: data.parvisSsoToken || undefined, ssoLogin: !!data.parvisSsoLogin });
        if (element && !inline) loadInline(element);
        else if (data.parvisArticle && !element) console.warn(`Parvis: no element matches ${data.parvisArticle}; inline comments are off.`);
        break;
      }
      case "height":
        if (Number.isFinite(message.height) && message.height >= 0) frame.style.height = `${Math.ceil(Math.min(message.height, 1e6))}px`;
        break;
      case "scroll-to":
        if (Number.isFinite(message.offset)) scrollTo(message.offset);
        break;
      case "navigate": {
        const target = loginTarget(message.url, location.href, data.parvisSsoLogin);
        target ? location.assign(target) : fail("the sign-in page is not on this site's origin; not followed.");
        break;
      }
      case "anchors":
        if (!Array.isArray(message.anchors)) break;
        anchors = message.anchors.filter((anchor) => Number.isInteger(anchor?.id) && typeof anchor.quote?.exact === "string");
        if (inline && inline !== "loading") inline.setAnchors(anchors);
        break;
    }
  });

  const open = () => {
    frame.src = `${parvis}/embed/${encodeURIComponent(site)}/frame?${params}`;
    frame.title = { fr: "Commentaires", he: "תגובות", ar: "التعليقات" }[lang] ?? "Comments";
    frame.setAttribute("scrolling", "no");
    frame.style.cssText = "display:block;width:100%;height:0;border:0;overflow:hidden";
    container.append(frame);
    timer = window.setTimeout(() => {
      frame.remove();
      fail(`the comments did not load: is "${site}" the right data-parvis-site, and is ${location.origin} one of its allowed origins?`);
    }, 10000);
  };

  if (location.hash.startsWith("#comment-") || !("IntersectionObserver" in window)) open();
  else {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          open();
        }
      },
      { rootMargin: "600px" },
    );
    observer.observe(container);
  }
}

if (!script) fail("embed.js could not find its own <script> element.");
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => start(script));
else start(script);
