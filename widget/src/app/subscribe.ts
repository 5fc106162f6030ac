/**
 * The subscribe control, a chunk of its own (`subscribe-<hash>.js`) that the app loads when the reader first
 * clicks "Subscribe" (the app's button `#ps-open`): most readers never do, and the app's budget stays for
 * reading and writing. From then on this chunk opens and closes its panel.
 *
 * A guest subscribes by email to this discussion's new comments or to replies to their comments, as they come
 * or once a day; the server then sends one confirmation email (double opt-in) and the panel says to check the
 * mailbox. Errors are the server's codes, translated like the app's. The panel also links the discussion's
 * Atom feed. Styles: chunk-styles.ts's sheet, then one of its own (the frame's CSP allows no inline style), logical properties only,
 * so Hebrew and Arabic mirror by themselves. Inputs sit inside their labels, so no id can clash with the app's.
 */
import type { SubscriptionAnswer } from "../api";
import { api, button, cfg, explain, h, load, t, type Failure } from "./core";
import { adoptChunkStyles } from "./chunk-styles";
import { confirmationNotice, subscriptionRequest, type Frequency, type Kind } from "./subscription";

const CSS = `.sp{margin:0 0 1rem}.sp fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
.sp legend{font-weight:600;padding:0;margin-bottom:.2rem}.sp fieldset label{font-weight:400;display:flex;gap:.35rem;align-items:center}
.sp .ad{display:grid;gap:.2rem}.sp .ok{background:var(--parvis-bg);border-inline-start:3px solid var(--parvis-accent);padding:.4rem .7rem;margin:0}`;

adoptChunkStyles();
const sheet = new CSSStyleSheet();
sheet.replaceSync(CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

function choice<V extends string>(name: string, values: V[]) {
  const radios = values.map((value, i) => h("input", { type: "radio", name, value, checked: !i }));
  return {
    field: h("fieldset", null, h("legend", null, t(`sub.${name}`)),
      ...radios.map((radio) => h("label", null, radio, t(`sub.${name}.${radio.value}`)))),
    value: () => radios.find((radio) => radio.checked)!.value as V,
    first: radios[0]!,
  };
}

const opener = document.getElementById("ps-open")!;
const kind = choice<Kind>("kind", ["thread", "replies"]);
const frequency = choice<Frequency>("frequency", ["instant", "daily"]);
const email = h("input", { type: "email", name: "email", autocomplete: "email", maxlength: 254, required: true,
  value: load<Record<string, string>>("author", {}).email || "" });
const problem = h("p", { class: "fe", role: "alert" });
const done = h("p", { class: "ok", role: "status", tabindex: -1, hidden: true });
const send = h("button", { type: "submit", class: "pri" }, t("sub.send"));

const panel = h("form", {
  id: "ps", class: "rf sp", "aria-label": t("subscribe"), novalidate: true, hidden: true,
  onkeydown: (event: KeyboardEvent) => event.key == "Escape" && toggle(false),
  onsubmit: async (event: Event) => {
    event.preventDefault();
    problem.textContent = "";
    done.hidden = true;
    email.removeAttribute("aria-invalid");
    send.disabled = true;
    try {
      await api<SubscriptionAnswer>("/subscriptions", subscriptionRequest(email.value, kind.value(), frequency.value(), cfg.lang, cfg.thread));
      done.textContent = confirmationNotice(t, email.value);
      done.hidden = false;
      done.focus();
    } catch (failure) {
      const { code } = failure as Failure;
      if (code == "invalid_email" || code == "validation_failed") email.setAttribute("aria-invalid", "true"), email.focus();
      problem.textContent = explain(failure as Failure);
    }
    send.disabled = false;
  },
},
  kind.field, frequency.field,
  h("label", { class: "ad" }, t("email"), email),
  h("p", { class: "nt" }, t("sub.note")),
  h("div", { class: "bar" },
    h("a", { class: "md", href: cfg.feed, type: "application/atom+xml", rel: "noopener" }, t("sub.feed")),
    button(t("cancel"), () => toggle(false)), send),
  problem, done);

function toggle(open = panel.hidden) {
  panel.hidden = !open;
  opener.setAttribute("aria-expanded", open + "");
  (open ? kind.first : opener).focus();
}

opener.setAttribute("aria-controls", panel.id);
opener.closest("header")!.after(panel);
opener.addEventListener("click", () => toggle());
toggle(true);
