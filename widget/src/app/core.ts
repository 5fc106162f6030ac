/** Configuration, DOM, storage and API helpers shared by the app's modules. */
import type { Problem, Session, SiteRules } from "../api";
import type { ToLoader } from "../protocol";
import { relative, translator, type Messages } from "./i18n";

export interface Config {
  site: SiteRules;
  thread: { key: string | null; url: string | null; title: string };
  hostOrigin: string;
  lang: string;
  dir: "ltr" | "rtl";
  messages: Messages;
  api: string;
  /** The subscribe control's chunk (loaded when the reader opens it) and this discussion's Atom feed. */
  subscribe: string;
  /** The chunk of a comment's less used tools (edit, delete, report, appeal), loaded on first use. */
  tools: string;
  /** The composer chunk (the post and reply form around the textarea the app shows), loaded on first use. */
  composer: string;
  /** The sign-in chunk (who may comment here, the ways of signing in, the signed-in reader's bar). */
  signin: string;
  /** The live chunk (the event stream, the "new comments" bar), loaded once the first page is shown. */
  live: string;
  feed: string;
}

export const cfg: Config = JSON.parse(document.getElementById("parvis-config")!.textContent!);
export const t = translator(cfg.lang, cfg.messages);
export const has = (key: string) => key in cfg.messages;
export const ago = relative(cfg.lang);
/** Query naming the thread: the publisher's key, else the canonical URL. */
export const threadQuery = new URLSearchParams(cfg.thread.key ? { key: cfg.thread.key } : { url: cfg.thread.url || "" }) + "";
const slug = cfg.site.slug;
/** Where a draft is kept: per thread, and per comment for a reply. */
export const draftKey = (parent?: number) => `:${cfg.thread.key || cfg.thread.url}${parent ? ":" + parent : ""}`;

type Out = ToLoader extends infer M ? (M extends ToLoader ? Omit<M, "parvis"> : never) : never;
/** Posts to the host page only, never to "*". */
export const send = (message: Out) => parent.postMessage({ parvis: 1, ...message }, cfg.hostOrigin);

// ---- DOM ---------------------------------------------------------------------------------------
type Child = Node | string | false | null | undefined;
type Props = Record<string, unknown> | null;

/** createElement with attributes ("onclick" etc. become listeners) and text/element children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const name in props) {
    const value = props[name];
    if (value == null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value as EventListener);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  return add(el, ...children);
}

/** append() that skips false/null/undefined, so children can be written as `condition && node`. */
export function add<E extends Element>(el: E, ...children: Child[]): E {
  el.append(...(children.filter((child) => child != null && child !== false) as Array<Node | string>));
  return el;
}

let counter = 0;
export const uid = () => "p" + ++counter;

/** A button (type=button unless given). */
export const button = (label: string, onclick: (event: Event) => void, props: Props = {}) =>
  h("button", { type: "button", onclick, ...props }, label);

// ---- storage (the iframe's own, partitioned localStorage; absent or full storage is not an error) ----
export function load<T>(name: string, fallback: T, extra = ""): T {
  try {
    return JSON.parse(localStorage.getItem(`parvis:${name}:${slug}${extra}`) || "null") ?? fallback;
  } catch {
    return fallback;
  }
}
export function save(name: string, value: unknown, extra = "") {
  try {
    const key = `parvis:${name}:${slug}${extra}`;
    value == null ? localStorage.removeItem(key) : localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode or quota: the feature degrades, nothing breaks */
  }
}

/** Edit tokens by comment id; `body` (the markdown) is kept too so an edit starts from the source. */
export type Tokens = Record<string, { token: string; until: string; body?: string }>;
export const tokens = (): Tokens => load("tokens", {});
export const editable = (id: number) => {
  const entry = tokens()[id];
  return entry && Date.parse(entry.until) > Date.now() ? entry : undefined;
};

// ---- the reader's session: a bearer token in this frame's storage, never a cookie ----------------------
/** The kept session, unless it has expired. Every chunk reads it from storage: each has its own copy of this
 * module, so storage (and the "parvis-session" event on the frame's window) is the one shared state. */
export const session = (): Kept | null => {
  const kept = load<Kept | null>("session", null);
  return kept && Date.parse(kept.expires_at) > Date.now() ? kept : null;
};
/** A kept session, with when it came (this device's clock): a session is new when it comes, so it is never
 * renewed again at once however far this clock is from the server's. */
export type Kept = Session & { got?: number };
/** Keeps (or forgets, given null) the session and tells every part of the app. */
export const keep = (value: Kept | null) => (save("session", value && { ...value, got: value.got ?? Date.now() }), dispatchEvent(new Event("parvis-session")));
export const bearer = (): Record<string, string> => {
  const kept = session();
  return kept ? { Authorization: "Bearer " + kept.token } : {};
};
/** After a call sent with bearer(): a session the server no longer knows (expired, revoked by "sign out
 * everywhere") is forgotten, and the guest view returns. Not in api(), so that the app's first view does not
 * carry it. */
export const dropDead = (failure: unknown) => (failure as Failure).code == "session_invalid" && keep(null);

// ---- API ---------------------------------------------------------------------------------------
/** What a failed call throws: the server's problem+json, or a local code (network, timeout, server_error). */
export type Failure = Partial<Problem> & { code: string };

export async function api<T>(path: string, body?: unknown, method = body ? "POST" : "GET", headers: Record<string, string> = {}): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 15000);
  let response: Response;
  try {
    response = await fetch(cfg.api + path, {
      method,
      headers: body ? { "Content-Type": "application/json", ...headers } : headers,
      body: body ? JSON.stringify(body) : null,
      credentials: "omit",
      cache: "no-store",
      signal: abort.signal,
    });
  } catch {
    throw { code: abort.signal.aborted ? "timeout" : "network" };
  } finally {
    clearTimeout(timer);
  }
  const data = response.status == 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw data?.code ? data : { code: response.status >= 500 ? "server_error" : "network" };
  return data;
}

/** Tokens the reader holds, so the server also returns their comments awaiting moderation. */
export function ownHeaders(): Record<string, string> {
  const held = Object.values(tokens()).map((entry) => entry.token).slice(-50);
  return held.length ? { "Parvis-Own-Tokens": held.join(" ") } : {};
}

/** The reader's language for an error code, else the server's title. */
export const explain = (failure: Failure, code = failure.code) =>
  has("error." + code) ? t("error." + code) : has("error." + failure.code) ? t("error." + failure.code) : failure.title || t("error.server_error");

/** Failures worth a retry button: the request may succeed as is later. */
export const transient = (failure: Failure) => /^(network|timeout|server_error|rate_limited)$/.test(failure.code);
