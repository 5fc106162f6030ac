/** The app in the Parvis iframe: reads and writes one thread, talks to the loader on the host page. */
import type { Comment, Sort, ThreadPage, VoteResult } from "../api";
import { isToApp, type Theme } from "../protocol";
import type { Base, ComposeOptions, Composer, ComposerInit, Draft } from "./compose";
import { add, ago, api, button, cfg, draftKey, editable, explain, h, load, ownHeaders, save, send, t, threadQuery, tokens, uid, type Failure } from "./core";
import { canSignIn } from "./gate";
import { stopwatch } from "./moderation";
import type { LiveHost, LiveInit } from "./live";
import type { SignIn, SignInInit } from "./signin";
import type { Compose, Host, Item, Tools, ToolsInit } from "./tools";

/** Replies nest visually this deep; deeper ones open in place behind "continue this thread". */
const MAX_DEPTH = 5;
const doc = document;
// The frame page sets <html lang dir> and <base target="_blank"> (links in comments open a new tab instead of
// replacing the comments inside the frame).
const root = doc.documentElement;

const items = new Map<number, Item>();
const votes: Record<string, number> = load("votes", {});
let sort: Sort = "oldest";
let cursor: string | null = null;
let count = 0;
/** The highest published comment id read so far: live updates ask for what is newer. */
let seen = 0;
/** The newest moderation decision reflected here: live updates report what the moderators decided since. */
let decided = 0;
/** Live replies whose parent is on a page not loaded yet: placed when the parent is rendered. */
const waiting = new Map<number, Comment[]>();
let orphans = new Set<number>();
let hasArticle = false;
let sentAnchors = "";
const longDate = new Intl.DateTimeFormat(cfg.lang, { dateStyle: "long", timeStyle: "short" });
const http = (url: string | null | undefined) => (url && /^https?:\/\//i.test(url) ? url : null);

// ---- theme and size ------------------------------------------------------------------------------
const dark = matchMedia("(prefers-color-scheme: dark)");
let scheme: Theme["scheme"] = "auto";
const paint = () => root.classList.toggle("dk", scheme == "dark" || (scheme != "light" && dark.matches));
dark.addEventListener("change", paint);
paint();
function theme(given: Theme) {
  // CSSOM, not style attributes: the frame's CSP forbids inline styles in markup.
  for (const [name, value] of Object.entries(given?.vars || {})) if (/^--[\w-]+$/.test(name) && typeof value == "string") root.style.setProperty(name, value);
  scheme = given?.scheme || "auto";
  paint();
}
let height = 0;
const resize = () => {
  const next = Math.ceil(root.getBoundingClientRect().height);
  if (next != height) send({ type: "height", height: (height = next) });
};
new ResizeObserver(resize).observe(root);

// ---- page skeleton -------------------------------------------------------------------------------
const notice = ({ text, url }: { text: string; url: string }, link: string) =>
  (text || http(url)) && h("p", { class: "nt", dir: "auto" }, text, " ", http(url) && h("a", { href: url, target: "_blank", rel: "noopener" }, link));
const heading = h("h2");
const sortSelect = h("select", { onchange: () => { sort = sortSelect.value as Sort; fetchPage(true); } },
  ...["oldest", "newest", "best"].map((value) => h("option", { value }, t("sort." + value))));
const inlineToggle: HTMLButtonElement = button("", () => inlineToggle.setAttribute("aria-pressed", root.classList.toggle("io") + ""), { class: "il", hidden: true, "aria-pressed": "false" });
/** Adds a chunk's script once; a failed load is forgotten, so that the next use tries again. */
const chunks: Record<string, Promise<unknown>> = {};
const chunk = (src: string) => (chunks[src] ??= new Promise((resolve, reject) =>
  doc.head.append(h("script", { src, onload: resolve, onerror: () => (delete chunks[src], reject()) }))));
// "Subscribe" loads its chunk on the first click; the chunk then opens and closes its panel itself.
const follow = button(t("subscribe"), () => chunk(cfg.subscribe).catch(() => {}), { id: "ps-open", "aria-expanded": "false" });
const hint = h("p", { class: "nt", hidden: true }, t("inlineHint"));
const status = h("div", { class: "sr", role: "status" });
const top = compose({ compact: true, done: (comment) => announce(place(comment, true), comment) });
// Who may comment: the site's rule until the first page gives the thread's (a thread may be for subscribers on an
// open site); the signin chunk decides when it is not "anyone". The form stays hidden until the first page has
// said, rather than flash and vanish.
let rule = cfg.site.commenting.rule;
let pageLogin = false;
let sso: string | undefined;
let gated = false;
const gate = () => signin(async (kit) => (sso && (await kit.exchange(sso)), kit.gate()));
const write = h("div", { hidden: true }, top.form);
const account = h("div", { class: "si" }, !load("session", null) && canSignIn(cfg.site.commenting.sign_in) && button(t("signIn"), () => signin((kit) => kit.open())));
const bar = h("div", { class: "nb", "aria-live": "polite" });
const list = h("div", { class: "ls" });
const empty = h("p", { class: "nt em", hidden: true }, t("empty"));
const more = h("div", { class: "mo" });
// The frame page provides <main id="parvis-app">.
add(doc.getElementById("parvis-app")!,
  h("header", { class: "hd" }, heading, inlineToggle, follow, h("label", { class: "so" }, t("sort") + " ", sortSelect)),
  notice(cfg.site.policy, t("policyLink")), hint, account, write, notice(cfg.site.privacy, t("privacyLink")),
  bar, list, empty, more, status);

function announce(el: HTMLElement | undefined, comment: Comment) {
  const m = comment.moderation;
  m ? tool("announce", m) : (status.textContent = t(comment.status == "pending" ? "postedPending" : "posted"));
  if (el) show([comment.id], false);
}

// ---- one comment ---------------------------------------------------------------------------------
function render(c: Comment, level: number): HTMLElement {
  // The reader's own refused comment keeps its text for them (it comes with `moderation`).
  const gone = (c.status == "deleted" || c.status == "removed") && !c.moderation;
  const name = c.author?.name || "?";
  const site = http(c.author?.website);
  const avatar = h("div", { class: "av", "aria-hidden": "true" }, gone ? "" : Array.from(name)[0]!.toUpperCase());
  let hue = 0;
  for (const char of name) hue = (hue * 31 + char.charCodeAt(0)) % 360;
  avatar.style.setProperty("--h", hue + "");
  const by = c.author;
  const profile = by?.profile && `/t/${cfg.site.slug}/people/${by.profile}/`;
  const link = profile || site;
  const head = h("div", { class: "hc" },
    !gone && (link ? h("a", { class: "n", href: link, rel: profile ? "noopener" : "nofollow ugc noopener", target: "_blank" }, h("bdi", { dir: "auto" }, name)) : h("bdi", { class: "n", dir: "auto" }, name)),
    !gone && by?.verified && h("span", { class: "vf", role: "img", title: t("verified"), "aria-label": t("verified") }, "✓"),
    !gone && by?.badge && h("span", { class: "ab" }, t("badge." + by.badge)),
    h("a", { class: "d", href: (cfg.thread.url || "").split("#")[0] + "#comment-" + c.id, target: cfg.thread.url && "_top", title: longDate.format(new Date(c.created)) }, h("time", { datetime: c.created }, ago(c.created))),
    c.edited && h("span", { class: "mu ed" }, t("edited")),
    c.moderator_edited && h("span", { class: "mu me" }, t("modEdited")),
    h("span", { class: "bd" }),
    // After the status badge, which standing() finds as the first .bd.
    c.pinned && h("span", { class: "bd" }, t("pinned")),
    c.editors_pick && h("span", { class: "bd" }, t("editors_pick")));
  const body = h("div", { class: "b", dir: "auto" });
  // The one place HTML is inserted: the server rendered and sanitized it (markdown-it + nh3).
  gone ? (body.textContent = t(c.status)) : (body.innerHTML = c.html);
  const actions = h("div", { class: "ac" });
  const slot = h("div");
  const el = h("article", { id: "comment-" + c.id, class: `c ${c.status}` + (c.anchor ? " an" : ""), tabindex: -1 },
    avatar,
    h("div", { class: "m" }, head,
      c.anchor && h("blockquote", { class: "q", dir: "auto" }, c.anchor.exact),
      c.anchor && h("p", { class: "nt or", hidden: !orphans.has(c.id) }, t("orphan")),
      body, actions, slot));
  const item: Item = { c, el, head, body, actions, slot, level };
  items.set(c.id, item);
  if (c.status == "approved" && !c.own) seen = Math.max(seen, c.id);
  standing(item);
  if (!gone) fillActions(item);
  if (c.replies.length) {
    const box = boxOf(item);
    box.append(...c.replies.map((reply) => render(reply, level + 1)));
    setOpen(box, !box.hidden);
  }
  // A reply typed before a reload reopens where it was.
  if (load("draft", null, draftKey(c.id))) reply(item);
  return el;
}

// ---- the reader's own held or refused comments ---------------------------------------------------------
/** Shows where the reader's own comment stands: its badge here, and the notice saying why it waits or was
 * refused from the tools chunk (few readers ever have one). */
function standing(item: Item) {
  const { c } = item;
  item.head.querySelector(".bd")!.textContent = c.status == "pending" ? t("pending") : c.status == "removed" ? t("unpublished") : "";
  if (c.moderation || item.note) tool("notice", item);
}

/** A newer state of the reader's own comment: edited, or decided by the second automatic check. */
function update(item: Item, fresh: Comment) {
  const { c } = item;
  if (fresh.status != c.status) {
    count += +(fresh.status == "approved") - +(c.status == "approved");
    item.el.classList.replace(c.status, (c.status = fresh.status));
    // Its actions follow its status (reply, vote once published); a comment with replies keeps its own.
    if (!item.box) item.actions.replaceChildren(), fillActions(item);
    refresh();
  }
  c.moderation = fresh.moderation ?? null;
  standing(item);
}

function fillActions(item: Item) {
  const { c, actions } = item;
  const mine = c.own || !!tokens()[c.id];
  const error = h("span", { class: "fe", role: "alert" });
  const fail = (failure: unknown) => (error.textContent = explain(failure as Failure));
  const score = h("span", { class: "sc", title: t("score", { n: c.score }) }, c.score + "");
  const vote = (value: number) => async () => {
    error.textContent = "";
    try {
      const result = await api<VoteResult>(`/comments/${c.id}/votes`, { value: votes[c.id] == value ? 0 : value });
      votes[c.id] = result.your_vote;
      save("votes", votes);
      score.textContent = result.score + "";
      score.title = t("score", { n: result.score });
    } catch (failure) {
      fail(failure);
    }
    up.setAttribute("aria-pressed", (votes[c.id] == 1) + "");
    down.setAttribute("aria-pressed", (votes[c.id] == -1) + "");
  };
  const up = button("▲", vote(1), { class: "v", "aria-label": t("up"), "aria-pressed": (votes[c.id] == 1) + "" });
  const down = button("▼", vote(-1), { class: "v", "aria-label": t("down"), "aria-pressed": (votes[c.id] == -1) + "" });
  const live = c.status == "approved";
  const token = editable(c.id);
  const use = (name: "edit" | "remove" | "report", label: string) => {
    const opener: HTMLButtonElement = button(t(label), () => tool(name, item, opener));
    return opener;
  };
  add(actions,
    h("span", { class: "vt" }, !mine && live && up, score, !mine && live && down),
    live && button(t("reply"), () => reply(item), { class: "rb" }),
    token && c.status != "removed" && use("edit", "edit"), token && use("remove", "delete"),
    !mine && live && use("report", "report"),
    error);
}

/** A comment deleted here or taken down by the moderators: a placeholder while it has replies, else gone. */
function takeDown(item: Item, state: "deleted" | "removed") {
  if (item.box?.querySelector(".c")) {
    item.el.className = "c " + (item.c.status = state);
    item.head.firstChild?.remove();
    item.el.firstChild!.textContent = "";
    item.body.textContent = t(state);
    item.actions.replaceChildren();
    close(item);
  } else {
    item.el.remove();
    items.delete(item.c.id);
  }
}

// ---- compose: the textarea now, the rest of the form from the composer chunk on first use -------------
/** A compose form at once: a real, labelled textarea in its form (a reader can type, screen readers see it).
 * The first focus, press or key in it, or a saved draft, loads the composer chunk, which builds the rest of the
 * form around this same element (see compose.ts). A failed load is said in the live region; the next touch
 * tries again. */
function compose(options: ComposeOptions): Compose {
  const { parent, edit } = options;
  const draft = edit ? null : load<Draft | null>("draft", null, draftKey(parent));
  const body = h("textarea", { rows: 4, placeholder: t(edit ? "editPlaceholder" : parent ? "replyPlaceholder" : "placeholder") });
  body.value = edit ? options.source ?? "" : draft?.body ?? "";
  const slot = h("p", { class: "fe", id: uid(), role: "alert" });
  const field = h("div", { class: "fd" }, h("label", { for: (body.id = uid()), class: "sr" }, t(parent ? "replyLabel" : "label")), body, slot);
  const quoteBox = h("div", { class: "qb" });
  const error = h("div", { class: "er", role: "alert" });
  const form = h("form", { class: "f" + (options.compact && !body.value ? " cp" : ""), novalidate: true }, quoteBox, field, error);
  const base: Base = { form, quoteBox, field, body, slot, error, clock: stopwatch(), uid };
  let made: Promise<Composer> | undefined;
  const ready = () => (made ??= chunk(cfg.composer).then(
    () => (window as unknown as Record<symbol, ComposerInit>)[Symbol.for("parvis.composer")]!(options, base),
    (failure) => {
      made = undefined;
      status.textContent = explain({ code: "network" });
      throw failure;
    }));
  const touch = () => void ready().catch(() => {});
  form.addEventListener("focusin", () => (form.classList.remove("cp"), base.clock.start(), touch()));
  body.addEventListener("pointerdown", touch);
  body.addEventListener("keydown", touch);
  if (draft) touch();
  return { form, focus: () => body.focus(), ready };
}

function reply(item: Item) {
  const form = compose({
    parent: item.c.id,
    done: (comment) => {
      close(item);
      announce(place(comment, false), comment);
    },
    cancel: () => close(item, item.actions.querySelector<HTMLElement>(".rb")),
  });
  open(item, form.form, form);
}

function open(item: Item, content: HTMLElement, focus: { focus(): void } = content) {
  item.slot.replaceChildren(content);
  focus.focus();
}
function close(item: Item, back?: HTMLElement | null) {
  item.slot.replaceChildren();
  back?.focus();
}

// ---- edit, delete, report, appeal: the tools chunk, loaded on the first click on one of them ----------
const host: Host = {
  open, close, update, compose, status, uid, items,
  drop(item) {
    if (item.c.status == "approved") count--;
    takeDown(item, "deleted");
    refresh();
  },
};
let toolkit: Tools | undefined;
/** Runs a tool once the chunk is there (a failed load is said in the live region; the next use tries again). */
function tool<N extends keyof Tools>(name: N, ...args: Parameters<Tools[N]>) {
  chunk(cfg.tools).then(() => {
    toolkit ??= (window as unknown as Record<symbol, ToolsInit>)[Symbol.for("parvis.tools")]!(host);
    (toolkit[name] as (...args: Parameters<Tools[N]>) => void)(...args);
  }, () => (status.textContent = explain({ code: "network" })));
}

// ---- signing in: the signin chunk, loaded when the rule is not "anyone", a session is kept, the page passed a
// token, or on "Sign in" ---------------------------------------------------------------------------------
let signer: SignIn | undefined;
const signin = (run: (kit: SignIn) => unknown) => chunk(cfg.signin).then(() => run(signer ??=
  (window as unknown as Record<symbol, SignInInit>)[Symbol.for("parvis.signin")]!({ account, write, form: top.form, status, rule: () => rule, pageLogin: () => pageLogin })),
() => (status.textContent = explain({ code: "network" })));

addEventListener("parvis:confirming", (event) => signin((kit) => kit.follow((event as CustomEvent).detail)));

// ---- reply boxes: collapsible, and behind "continue this thread" past MAX_DEPTH ---------------------
function boxOf(item: Item): HTMLElement {
  if (item.box) return item.box;
  const deep = item.level + 1 >= MAX_DEPTH;
  const box = (item.box = h("div", { class: deep ? "r fl" : "r", id: "r" + item.c.id, hidden: deep }));
  const control = button("", () => setOpen(box, box.hidden), { class: deep ? "ct" : "tg", "aria-controls": box.id, "aria-expanded": !deep + "" });
  deep ? item.el.append(control, box) : (item.actions.insertBefore(control, item.actions.lastChild), item.el.append(box));
  return box;
}

function setOpen(box: HTMLElement, opened: boolean) {
  box.hidden = !opened;
  // The control sits in the same comment (which may not be in the document yet).
  const control = box.parentElement?.querySelector(`[aria-controls="${box.id}"]`);
  if (!control) return;
  const n = box.querySelectorAll(".c").length;
  if (control.className == "ct") {
    if (opened) {
      control.remove();
      box.querySelector<HTMLElement>(".c")?.focus({ preventScroll: true });
    } else control.textContent = t("continue", { n });
    return;
  }
  control.textContent = t(opened ? "hideReplies" : "showReplies", { n });
  control.setAttribute("aria-expanded", opened + "");
}

/** Adds a comment that was posted here or arrived live; returns its element (none if its parent is not
 * shown yet: it then waits for the parent, already counted). */
function place(c: Comment, first: boolean, counted = false): HTMLElement | undefined {
  if (items.has(c.id)) return;
  const parent = c.parent ? items.get(c.parent) : undefined;
  if (c.parent && !parent) {
    waiting.set(c.parent, [...(waiting.get(c.parent) ?? []), c]);
    if (c.status == "approved" && !counted) count++, refresh();
    return;
  }
  const el = render(c, parent ? parent.level + 1 : 0);
  if (parent) {
    const box = boxOf(parent);
    box.append(el);
    setOpen(box, !box.hidden);
  } else first ? list.prepend(el) : list.append(el);
  if (c.status == "approved" && !counted) count++;
  const late = waiting.get(c.id);
  waiting.delete(c.id);
  for (const reply of late ?? []) place(reply, false, true);
  refresh();
  return el;
}

/** Reveals, highlights and scrolls the host page to the given comments (permalink, inline passage). */
function show(ids: number[], highlight = true) {
  if (highlight) for (const old of doc.querySelectorAll(".hl")) old.classList.remove("hl");
  let first: HTMLElement | undefined;
  for (const id of ids) {
    const el = items.get(id)?.el;
    if (!el) continue;
    for (let up = el.parentElement; up; up = up.parentElement) if (up.hidden) setOpen(up, true);
    if (highlight) el.classList.add("hl");
    first ??= el;
  }
  if (!first) return;
  first.focus({ preventScroll: true });
  resize();
  send({ type: "scroll-to", offset: Math.round(first.getBoundingClientRect().top + scrollY) });
}

async function find(ids: number[]) {
  if (ids.some((id) => !items.has(id)) && cursor) await fetchPage(false, true);
  show(ids);
}

// ---- reading -------------------------------------------------------------------------------------
function refresh() {
  heading.textContent = t("comments", { n: count });
  send({ type: "count", count });
  const anchors = [...items.values()].filter((item) => item.c.anchor).map(({ c }) => ({ id: c.id, quote: c.anchor! }));
  const json = JSON.stringify(anchors);
  if (json != sentAnchors) send({ type: "anchors", anchors: JSON.parse((sentAnchors = json)) });
  inlineToggle.hidden = !hasArticle || !anchors.length;
  inlineToggle.textContent = t("inline", { n: anchors.length });
  hint.hidden = !hasArticle;
  empty.hidden = !!list.firstChild;
}

let loading = 0;
async function fetchPage(reset: boolean, all = false): Promise<void> {
  const run = ++loading; // a newer read (another sort) wins over a slower older one
  more.replaceChildren(h("p", { class: "nt" }, t("loading")));
  list.setAttribute("aria-busy", "true");
  try {
    do {
      const page = await api<ThreadPage>(
        `/thread?${threadQuery}&sort=${sort}&limit=${all ? 100 : 20}${!reset && cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`,
        undefined, "GET", ownHeaders());
      if (run != loading) return;
      if (reset) {
        list.replaceChildren();
        items.clear();
        reset = false;
      }
      count = page.thread.count;
      rule = page.thread.commenting || rule;
      seen = Math.max(seen, page.latest);
      decided = Math.max(decided, page.decided);
      if (page.thread.closed) {
        root.classList.add("cl");
        write.replaceChildren(h("p", { class: "nt" }, t("closed")));
      }
      list.append(...page.comments.map((c) => render(c, 0)));
      for (const [id, replies] of waiting) if (items.has(id)) waiting.delete(id), replies.forEach((r) => place(r, false, true));
      cursor = page.next_cursor;
    } while (all && cursor);
    more.replaceChildren(...(cursor ? [button(t("more"), () => fetchPage(false)), button(t("all"), () => fetchPage(false, true))] : []));
  } catch (failure) {
    more.replaceChildren(h("div", { class: "er", role: "alert" }, explain(failure as Failure) + " ", button(t("retry"), () => fetchPage(reset, all))));
  }
  list.removeAttribute("aria-busy");
  refresh();
}

// ---- live updates: the live chunk, loaded once the first page is shown ----------------------------------
const liveHost: LiveHost = {
  marks: () => ({ seen, decided }),
  mark: (latest, newest) => ((seen = Math.max(seen, latest)), (decided = newest)),
  known: (id) => items.has(id),
  takeDown(id) {
    const item = items.get(id);
    if (item?.c.status == "approved" && !tokens()[id]) count--, takeDown(item, "removed");
  },
  reveal(comments) {
    const shown = comments.map((c) => place(c, sort == "newest"));
    for (const el of shown) el?.classList.add("nw");
    shown.find(Boolean)?.focus({ preventScroll: true });
  },
  refresh,
  bar,
};
const live = () => chunk(cfg.live).then(() => (window as unknown as Record<symbol, LiveInit>)[Symbol.for("parvis.live")]!(liveHost), () => {});

// ---- the loader ----------------------------------------------------------------------------------
const first = fetchPage(true);
// The first page's `latest` covers the pages not read yet: live updates announce only what is newer.
first.then(() => {
  performance.mark("parvis-first-render"); // read by bench/widget.py
  live();
  gated = true;
  if (rule != "anyone" || load("session", null) || sso) gate();
  else write.hidden = false;
});
setInterval(() => doc.querySelectorAll("time").forEach((time) => (time.textContent = ago(time.dateTime))), 60000);

addEventListener("message", ({ origin, source, data }) => {
  if (origin !== cfg.hostOrigin || source !== parent || !isToApp(data)) return;
  if (data.type == "init") {
    theme(data.theme);
    hasArticle = !!data.hasArticle;
    pageLogin = !!data.ssoLogin;
    // A token coming after the first page (a slow loader) is exchanged at once; before, with the first gate.
    if (typeof data.sso == "string" && data.sso) (sso = data.sso), gated && gate();
    refresh();
    const permalink = data.permalink;
    if (typeof permalink == "number") first.then(() => find([permalink]));
  }
  if (data.type == "compose-inline" && typeof data.quote?.exact == "string" && top.form.isConnected) {
    const quote = data.quote;
    top.ready().then((composer) => composer.quote(quote), () => {});
    top.form.classList.remove("cp");
    top.focus();
    send({ type: "scroll-to", offset: Math.round(top.form.getBoundingClientRect().top + scrollY) });
  }
  if (data.type == "open-passage" && Array.isArray(data.ids)) first.then(() => find(data.ids));
  if (data.type == "anchors-resolved" && Array.isArray(data.orphans)) {
    orphans = new Set(data.orphans);
    for (const [id, item] of items) item.el.querySelector<HTMLElement>(".or")?.toggleAttribute("hidden", !orphans.has(id));
  }
});
send({ type: "ready" });
