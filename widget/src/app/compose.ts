/**
 * The compose form (new comment, reply in place, edit, inline comment on a quoted passage), a chunk of its own
 * (`composer-<hash>.js`). The app shows at once a real, labelled textarea in a form (the `Base`: a reader can
 * start typing, screen readers see it) and loads this chunk on the first focus, press or key in it, on a Reply
 * or Edit, or at once when a draft is saved; the chunk then builds the rest of the form around that same
 * textarea, never moving it, so nothing typed is lost and the caret stays where it was. Most readers only read,
 * and the app's budget stays for that. The form's styles stay in app.css: the folded box and the textarea are
 * the app's, and the form must not flash unstyled when it unfolds.
 */
import type { Comment, Created } from "../api";
import type { TextQuote } from "../protocol";
import { add, api, bearer, dropDead, button, cfg, draftKey, editable, explain, h, load, save, session, t, tokens, transient, type Failure } from "./core";
import { adoptChunkStyles } from "./chunk-styles";
import { stopwatch } from "./moderation";

export interface ComposeOptions {
  parent?: number;
  edit?: Comment;
  /** The markdown source of the comment being edited. */
  source?: string;
  /** The top box starts as a single line and opens on focus. */
  compact?: boolean;
  done: (comment: Comment) => void;
  cancel?: () => void;
}

/** What the app rendered before this chunk came: the form with its quote box, the textarea's field (label,
 * textarea, error slot) and its error box, so that the folded box looks the same before and after. */
export interface Base {
  form: HTMLFormElement;
  quoteBox: HTMLElement;
  error: HTMLElement;
  field: HTMLElement;
  body: HTMLTextAreaElement;
  slot: HTMLElement;
  /** Started by the app on the first focus (the time to write is counted from there, not from this chunk). */
  clock: ReturnType<typeof stopwatch>;
  /** The app's id maker: this chunk's own copy of core.ts would count from 1 again and repeat the app's ids. */
  uid(): string;
}

export interface Composer {
  form: HTMLFormElement;
  focus(): void;
  quote(passage: TextQuote | null): void;
}
export type ComposerInit = (options: ComposeOptions, base: Base) => Composer;

/** A saved draft (the app reads it too, to load this chunk at once and show the text before it comes). */
export interface Draft {
  body?: string;
  anchor?: TextQuote | null;
}

const uuid = () => crypto.randomUUID?.() ?? Date.now().toString(36) + Math.random().toString(36).slice(2);

function composer(options: ComposeOptions, base: Base): Composer {
  const { form, field: bodyField, body, slot: bodySlot, uid, quoteBox, error } = base;
  let clock = base.clock;
  const { edit, parent } = options;
  const key = draftKey(parent);
  const draft: Draft = edit ? {} : load("draft", {}, key);
  const me: Record<string, string> = load("author", {});
  const rules = cfg.site.guests;
  const inputs: Record<string, HTMLInputElement | HTMLTextAreaElement> = {};
  const slots: Record<string, HTMLElement> = {};
  let anchor = draft.anchor ?? null;
  let idempotency = "";
  let sent = "";
  let busy = false;
  let took: number | undefined;
  // Timed from the first focus or keystroke, or from opening a reply form (it opens focused).
  if (parent) clock.start();

  /** Ties a control to its error slot: typing clears the error. */
  const wire = (name: string, control: HTMLInputElement | HTMLTextAreaElement, slot: HTMLElement) => {
    inputs[name] = control;
    slots[name] = slot;
    control.addEventListener("input", () => (slot.textContent = "", control.removeAttribute("aria-invalid")));
  };
  /** A labelled control with its own error slot, tied by aria-describedby when it has an error. */
  const field = (name: string, control: HTMLInputElement, label: string, note = "") => {
    const id = (control.id = uid());
    const slot = h("p", { class: "fe", id: id + "e", role: "alert" });
    wire(name, control, slot);
    return h("div", { class: "fd" }, h("label", { for: id }, label, note && h("span", { class: "mu" }, " " + note)), control, slot);
  };
  const input = (name: string, type: string, required: boolean, autocomplete: string) => {
    const control = h("input", { type, autocomplete, maxlength: name == "email" ? 254 : name == "name" ? 64 : 512, "aria-required": required || null });
    control.value = me[name] || "";
    return control;
  };

  wire("body", body, bodySlot);
  const count = () => {
    const left = cfg.site.max_comment_length - body.value.length;
    counter.textContent = left < 200 ? t("charsLeft", { n: left }) : "";
  };
  body.addEventListener("input", () => {
    clock.start();
    keep();
    count();
  });
  body.addEventListener("keydown", (event: KeyboardEvent) => {
    if (event.key == "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    if (event.key == "Escape") options.cancel?.();
  });
  const counter = h("span", { class: "mu", "aria-live": "polite" });
  const preview = h("div", { class: "b pv", hidden: true });
  const toggle: HTMLButtonElement = button(t("preview"), async () => {
    const on = toggle.getAttribute("aria-pressed") != "true";
    toggle.setAttribute("aria-pressed", on + "");
    body.hidden = on;
    preview.hidden = !on;
    if (!on) return body.focus();
    preview.textContent = t("loading");
    try {
      // Server-rendered and sanitized exactly like a published comment.
      const { html } = await api<{ html: string }>("/preview", { body: body.value });
      html ? (preview.innerHTML = html) : (preview.textContent = t("previewEmpty"));
    } catch (failure) {
      preview.textContent = explain(failure as Failure);
    }
  }, { "aria-pressed": "false" });
  const submitButton = h("button", { type: "submit", class: "pri" }, t(edit ? "save" : parent ? "reply" : "post"));
  // A field people never see nor reach (off-screen, out of the tab order and the accessibility tree): only
  // scripts filling every input fill it. Named so that browsers' autofill leaves it alone.
  const trap = h("input", { name: "subject", autocomplete: "off", tabindex: -1, "aria-hidden": "true", id: uid() });

  form.addEventListener("submit", submit);
  form.addEventListener("focusin", () => clock.start());
  // A signed-in reader posts under their profile: the guest fields hide (and come back when they sign out).
  const guest = !edit && h("div", { class: "g", hidden: !!session() },
      field("author.name", input("name", "text", rules.name_required, "nickname"), t("name"), rules.name_required ? "" : t("optional")),
      field("author.email", input("email", "email", rules.email == "required", "email"), t("email"), rules.email == "required" ? t("emailNote") : t("optional") + " · " + t("emailNote")),
      field("author.website", input("website", "url", false, "url"), t("website"), t("optional")),
      h("div", { class: "sr hp", "aria-hidden": "true" }, h("label", { for: trap.id }, t("trap")), trap));
  if (guest) addEventListener("parvis-session", () => (guest.hidden = !!session()));
  const parts: Array<HTMLElement | false> = [
    preview,
    guest,
    h("div", { class: "bar" },
      h("details", { class: "md" }, h("summary", null, t("mdHelp")), h("p", null, t("mdHelpText"))),
      counter, toggle, options.cancel && button(t("cancel"), options.cancel), submitButton),
  ];
  bodyField.after(...parts.filter((node): node is HTMLElement => !!node));
  // What was typed before this chunk came is kept as a draft from now on.
  count();

  function keep() {
    if (!edit) save("draft", body.value || anchor ? { body: body.value, anchor } : null, key);
  }

  function quote(passage: TextQuote | null) {
    anchor = passage;
    quoteBox.replaceChildren(...(passage ? [
      h("span", { class: "mu" }, t("quoting")),
      h("blockquote", { class: "q", dir: "auto" }, passage.exact),
      button("✕", () => { quote(null); keep(); body.focus(); }, { class: "x", "aria-label": t("removeQuote") }),
    ] : []));
  }
  quote(anchor);
  if (body.value) keep();

  function show(failure: Failure) {
    let placed = false;
    for (const item of failure.errors || []) {
      const slot = slots[item.field || ""];
      const control = inputs[item.field || ""];
      if (!slot || !control) continue;
      slot.textContent = explain(failure, item.code);
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", slot.id);
      if (!placed) control.focus();
      placed = true;
    }
    if (!placed) add(error, h("span", null, explain(failure) + (transient(failure) ? " " + t("kept") : "")), transient(failure) && button(t("retry"), () => form.requestSubmit()));
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (busy) return;
    error.replaceChildren();
    for (const name in slots) {
      slots[name]!.textContent = "";
      inputs[name]!.removeAttribute("aria-invalid");
      inputs[name]!.removeAttribute("aria-describedby");
    }
    const text = body.value;
    if (!text.trim()) return show({ code: "body_empty", errors: [{ field: "body", code: "body_empty", message: "" }] });
    const author = edit ? me : { name: inputs["author.name"]!.value.trim(), email: inputs["author.email"]!.value.trim(), website: inputs["author.website"]!.value.trim() };
    const payload = edit ? { body: text } : {
      thread: { key: cfg.thread.key || undefined, url: cfg.thread.url || undefined, title: cfg.thread.title },
      parent, body: text, author, anchor: anchor || undefined, honeypot: trap.value,
    };
    // The same request keeps the same key (and the same timing), so a retry after a timeout can never post twice.
    const json = JSON.stringify(payload);
    if (json != sent) (sent = json), (idempotency = uuid()), (took = clock.seconds());
    busy = true;
    form.setAttribute("aria-busy", "true");
    submitButton.textContent = t("sending");
    try {
      const held = tokens();
      let comment: Comment;
      if (edit) {
        comment = await api<Comment>("/comments/" + edit.id, payload, "PATCH", { "Parvis-Edit-Token": editable(edit.id)?.token ?? "" });
        const entry = held[edit.id];
        if (entry) entry.body = text;
      } else {
        const created = await api<Created>("/comments", { ...payload, seconds_to_submit: took }, "POST", { "Idempotency-Key": idempotency, ...bearer() });
        comment = created.comment;
        held[comment.id] = { token: created.edit_token, until: created.edit_until, body: text };
        // The author confirms their email from the mail: the signin chunk then signs them in (main.ts).
        if (created.confirmation) dispatchEvent(new CustomEvent("parvis:confirming", { detail: created.confirmation }));
        // Forget tokens a month past their window (they still reveal one's own pending comments until then).
        for (const id in held) if (Date.parse(held[id]!.until) < Date.now() - 2592e6) delete held[id];
        if (!session()) save("author", author);
        clock = stopwatch();
      }
      save("tokens", held);
      body.value = "";
      sent = "";
      quote(null);
      keep();
      if (toggle.getAttribute("aria-pressed") == "true") toggle.click();
      options.done(comment);
    } catch (failure) {
      dropDead(failure);
      show(failure as Failure);
    } finally {
      busy = false;
      form.removeAttribute("aria-busy");
      submitButton.textContent = t(edit ? "save" : parent ? "reply" : "post");
    }
  }

  return { form, focus: () => body.focus(), quote };
}

adoptChunkStyles();
(window as unknown as Record<symbol, ComposerInit>)[Symbol.for("parvis.composer")] = composer;
