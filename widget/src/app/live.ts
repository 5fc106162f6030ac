/**
 * The live chunk: what happens after the first render — the thread's event stream (or polling every 30 s where
 * there is none, or once the stream gave up), the "N new comments" bar, and comments the moderators took down
 * since. Loaded right after the first page is shown, so its bytes are not part of the reader's first view.
 */
import type { Comment, Updates } from "../api";
import { api, button, cfg, t, threadQuery } from "./core";

export interface LiveHost {
  /** The newest comment id and moderation decision the page reflects. */
  marks(): { seen: number; decided: number };
  mark(seen: number, decided: number): void;
  known(id: number): boolean;
  /** A published comment the moderators took down since it was shown (the reader's own keep their notice). */
  takeDown(id: number): void;
  /** Shows the queued new comments (the bar's button). */
  reveal(comments: Comment[]): void;
  refresh(): void;
  bar: HTMLElement;
}
export type LiveInit = (host: LiveHost) => void;

const CSS = `.nb button{display:block;width:100%;margin:.5rem 0;padding:.55rem;background:var(--parvis-soft);
color:var(--parvis-accent);border:1px solid var(--parvis-line);border-radius:999px}`;

function init(host: LiveHost) {
  let queue: Comment[] = [];
  const { bar } = host;

  async function updates() {
    try {
      const { seen, decided } = host.marks();
      const news = await api<Updates>(`/thread/updates?${threadQuery}&after=${seen}&decided=${decided}`);
      for (const c of news.comments) if (!host.known(c.id) && !queue.some((queued) => queued.id == c.id)) queue.push(c);
      host.mark(news.latest, news.decided);
      queue = queue.filter((c) => !news.removed.includes(c.id));
      for (const id of news.removed) host.takeDown(id);
      host.refresh();
    } catch {
      return; // the next event or poll tries again
    }
    bar.replaceChildren(...(queue.length ? [button(t("newComments", { n: queue.length }), () => {
      const shown = queue;
      queue = [];
      bar.replaceChildren();
      host.reveal(shown);
    })] : []));
  }

  const poll = () => setInterval(updates, 30000);
  if (!("EventSource" in window)) return poll();
  const { seen, decided } = host.marks();
  const events = new EventSource(`${cfg.api}/thread/events?${threadQuery}&after=${seen}&decided=${decided}`);
  events.addEventListener("comments", (event) => {
    const news = JSON.parse((event as MessageEvent).data);
    const marks = host.marks();
    if (news.latest > marks.seen || news.decided > marks.decided) updates();
  });
  // The server ends each stream after a while and EventSource reconnects by itself; poll only if it gave up.
  events.onerror = () => {
    if (events.readyState == EventSource.CLOSED) poll();
  };
}

const sheet = new CSSStyleSheet();
sheet.replaceSync(CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
(window as unknown as Record<symbol, LiveInit>)[Symbol.for("parvis.live")] = init;
