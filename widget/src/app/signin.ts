/**
 * Signing in inside the embed, a chunk of its own (`signin-<hash>.js`). The app loads it only when there is work
 * for it: the thread's rule is not "anyone" (this chunk then decides what the write area shows), a session is
 * kept (the "Signed in as" bar, its check and its refresh), the page passed a publisher token, or the reader
 * pressed "Sign in". Readers of open threads who never sign in never download it.
 *
 * The ways in, as the site offers them (`site.commenting.sign_in`):
 * - publisher SSO: the page's `data-parvis-sso-token` is exchanged at auth/sso; without one, "Sign in" asks the
 *   loader to send the top page to the publisher's sign-in page (the loader decides whether to follow);
 * - OpenID Connect: a first-party popup on the Parvis origin posts the session back (origin and window checked);
 * - email: auth/email sends a link; this chunk polls auth/email/poll every 2 s until it is opened or expires.
 * The session is a bearer token in this frame's own storage (core.ts `keep`), never a cookie.
 */
import type { EmailRequest, Reader, Rule, Session } from "../api";
import { adoptChunkStyles } from "./chunk-styles";
import { api, bearer, button, cfg, dropDead, explain, h, keep, send, session, t, transient, type Failure } from "./core";
import { verdict } from "./gate";

export interface SignInHost {
  /** The slot above the write area: the reader's bar, or the "Sign in" button and the ways in. */
  account: HTMLElement;
  /** The write area: the compose form, or the banner saying who may comment here. */
  write: HTMLElement;
  form: HTMLElement;
  status: HTMLElement;
  /** The rule in force on this thread, and whether the page has its own sign-in link (data-parvis-sso-login). */
  rule(): Rule;
  pageLogin(): boolean;
}
export interface SignIn {
  /** Shows what the reader may do here now; checks a kept session once and schedules its refresh. */
  gate(): void;
  exchange(token: string): Promise<void>;
  open(): void;
  /** Waits for the author of a comment to confirm their email (the link mailed about it), then signs them in. */
  follow(asked: EmailRequest): void;
}
export type SignInInit = (host: SignInHost) => SignIn;

const CSS = `.si{margin:0 0 .6rem}.wh{margin:0;display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}
.sg{display:grid;gap:.5rem}.sg>button{justify-self:start}.sg form{display:flex;flex-wrap:wrap;gap:.4rem;align-items:end}
.sg label{display:grid;gap:.2rem;flex:1 1 14rem}
.gt{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;padding:.6rem .8rem;background:var(--parvis-soft);border-radius:var(--parvis-radius);color:var(--parvis-text)}`;
const RETRY = 60000;
const POLL = 2000;
const MAX_TIMER = 2 ** 31 - 1;
/** A session is not renewed sooner than this after it came, even when this device's clock runs ahead of the
 * server's (its refresh_after already past): one renewal an hour at worst, never a loop. */
const MIN_AGE = 3600e3;

function init(host: SignInHost): SignIn {
  const { account, write, form, status } = host;
  const doors = cfg.site.commenting.sign_in;
  const problem = h("p", { class: "fe", role: "alert" });
  const done = h("p", { class: "nt", role: "status" });
  let panel: HTMLElement | null = null;
  let popup: Window | null = null;
  let polling = "";
  let timer = 0;
  let checked = false;

  /** A call as the signed-in reader; a session the server no longer knows is forgotten (the guest view returns). */
  const authed = <T>(path: string, method = "POST") => api<T>(path, method == "POST" ? {} : undefined, method, bearer()).catch((failure) => {
    dropDead(failure);
    throw failure;
  });
  const say = (text: string) => (status.textContent = text);
  const fail = (failure: unknown) => (problem.textContent = explain(failure as Failure));
  const loginUrl = () => doors.sso && (doors.sso.login_url || host.pageLogin()) ? doors.sso.login_url : null;
  const navigate = () => send({ type: "navigate", url: loginUrl() ?? "" });

  function render() {
    const reader = session()?.reader ?? null;
    const shown = verdict(host.rule(), reader, doors, host.pageLogin());
    if (reader) panel = null;
    // The ways in open where "Sign in" was: above the form on an open thread, under the banner on a closed one.
    account.replaceChildren(
      ...(reader ? [bar(reader)] : shown.open && shown.signIn && !panel ? [button(t("signIn"), open)] : []),
      ...(panel && shown.open ? [panel] : []), problem, done);
    // A closed thread keeps its "closed" notice whoever reads it.
    if (!document.documentElement.classList.contains("cl")) {
      write.replaceChildren(...(shown.open ? [form] : [
        h("p", { class: "nt gt", dir: "auto" }, t(shown.message), shown.signIn && !panel && button(t("signIn"), open, { class: "pri" })),
        ...(panel ? [panel] : [])]));
    }
    write.hidden = false;
  }

  function bar(reader: Reader) {
    return h("p", { class: "wh" }, t("signedInAs"), h("bdi", { class: "n", dir: "auto" }, reader.name),
      reader.badge && h("span", { class: "ab" }, t("badge." + reader.badge)),
      button(t("signOut"), () => out("sign-out")), button(t("signOutAll"), () => out("sign-out-everywhere")));
  }

  /** Signs out here (forgotten even when the server cannot be reached: the token dies with its expiry) or on
   * every device (forgotten only once the server has revoked them all, or says they already are). */
  async function out(path: "sign-out" | "sign-out-everywhere") {
    problem.textContent = "";
    try {
      await authed(`/auth/${path}`);
    } catch (failure) {
      if (path != "sign-out" && (failure as Failure).code != "session_invalid") return fail(failure);
    }
    keep(null);
    say(t("signedOut"));
  }

  function signedIn(given: Session) {
    polling = "";
    problem.textContent = done.textContent = "";
    keep(given);
    say(t("signedIn"));
  }

  /** The ways in: the publisher's page, the OIDC popup, an emailed link. With the publisher's page as the only
   * one, "Sign in" goes there at once. */
  function open() {
    if (loginUrl() != null && !doors.oidc && !doors.email) return navigate();
    panel ??= h("div", { class: "rf sg", role: "group", "aria-label": t("signIn") },
      loginUrl() != null && button(t("signInWith", { name: doors.sso!.label }), navigate, { class: "pri" }),
      doors.oidc && button(t("signInWith", { name: doors.oidc.label }), openPopup),
      doors.email && emailForm());
    render();
    panel.querySelector<HTMLElement>("button,input")?.focus();
  }

  function openPopup() {
    problem.textContent = "";
    popup = window.open(`/auth/${encodeURIComponent(cfg.site.slug)}/oidc/start?lang=${cfg.lang}`, "parvis-oidc", "popup,width=480,height=640");
    if (!popup) problem.textContent = t("popupBlocked");
  }
  // The popup is first-party (the Parvis origin): only it may hand a session over, and only to this frame.
  addEventListener("message", ({ origin, source, data }) => {
    if (origin !== location.origin || !popup || source !== popup || data?.parvis !== 1) return;
    if (data.type == "session" && typeof data.session?.token == "string") signedIn(data.session as Session);
    if (data.type == "sign-in-failed") fail({ code: String(data.code) });
  });

  function emailForm() {
    const address = h("input", { type: "email", autocomplete: "email", maxlength: 254, required: true });
    const sent = h("button", { type: "submit" }, t("emailLink"));
    return h("form", {
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        problem.textContent = done.textContent = "";
        address.removeAttribute("aria-invalid");
        sent.disabled = true;
        try {
          const email = address.value.trim();
          const asked = await api<EmailRequest>("/auth/email", { email, language: cfg.lang });
          // The address isolated (FSI … PDI) so that it reads left to right in a Hebrew or Arabic sentence.
          done.textContent = t("emailSent", { email: "\u2068" + email + "\u2069" });
          poll(asked);
        } catch (failure) {
          address.setAttribute("aria-invalid", "true");
          fail(failure);
        }
        sent.disabled = false;
      },
    }, h("label", null, t("signInEmail"), address), sent);
  }

  /** Asks every 2 s whether the emailed link was opened, until it was, the request expired, or a newer one
   * replaced it. A network hiccup is retried; a refusal (expired, used) ends it with the reason. */
  function poll(asked: EmailRequest) {
    const request = (polling = asked.request);
    const until = Date.parse(asked.expires_at);
    const tick = async () => {
      if (polling != request) return;
      if (Date.now() > until) return (done.textContent = "", fail({ code: "link_expired" }));
      try {
        const answer = await api<Session | { state: string }>("/auth/email/poll", { request });
        if ("token" in answer) return polling == request && signedIn(answer);
      } catch (failure) {
        if (!transient(failure as Failure)) return (done.textContent = "", fail(failure));
      }
      setTimeout(tick, POLL);
    };
    setTimeout(tick, POLL);
  }

  /** A new token after `refresh_after` (the old one stops working); a failed try is repeated a minute later. */
  function schedule() {
    clearTimeout(timer);
    const kept = session();
    if (!kept) return;
    const renew = async () => {
      try {
        keep(await authed<Session>("/auth/refresh"));
      } catch {
        timer = window.setTimeout(renew, RETRY);
      }
    };
    const at = Math.max(Date.parse(kept.refresh_after), (kept.got ?? 0) + MIN_AGE);
    timer = window.setTimeout(renew, Math.min(Math.max(0, at - Date.now()), MAX_TIMER));
  }

  /** Once per page view: is the kept session still alive (signed out everywhere, expired) and who is it now
   * (roles change)? A 401 forgets it in core.ts, which brings back the guest view. */
  async function check() {
    const kept = session();
    if (checked || !kept) return;
    checked = true;
    try {
      const reader = await authed<Reader>("/auth/me", "GET");
      const now = session();
      if (now?.token == kept.token) keep({ ...now, reader });
    } catch {
      /* a network failure keeps the session: the server decides on the next post */
    }
  }

  addEventListener("parvis-session", () => (render(), schedule()));
  addEventListener("storage", (event) => event.key?.startsWith("parvis:session:") && (render(), schedule()));
  return {
    gate() {
      render();
      schedule();
      check();
    },
    async exchange(token: string) {
      try {
        const old = session();
        signedIn(await api<Session>("/auth/sso", { token }));
        checked = true;
        // Each page view of a signed-in newsroom reader brings a token: the session it replaces is ended, so that
        // only one stays alive per browser.
        if (old) api("/auth/sign-out", {}, "POST", { Authorization: "Bearer " + old.token }).catch(() => {});
      } catch (failure) {
        fail(failure);
      }
    },
    open,
    follow(asked: EmailRequest) {
      if (!session()) poll(asked);
    },
  };
}

adoptChunkStyles();
const sheet = new CSSStyleSheet();
sheet.replaceSync(CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
(window as unknown as Record<symbol, SignInInit>)[Symbol.for("parvis.signin")] = init;
