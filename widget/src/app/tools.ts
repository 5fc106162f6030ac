/**
 * A comment's less used tools: edit, delete, report, and, on the reader's own held or refused comments, the
 * notice saying why (with "Ask for a review"). A chunk of its own (`tools-<hash>.js`) that the app loads on the
 * first click on one of them or when the reader first has such a notice (most readers only read, reply and
 * vote, and the app's budget stays for that), as it loads the subscribe chunk. The buttons are the app's.
 *
 * The chunk brings its own copy of core.ts (the DOM and API helpers) but works on the app's comments through
 * the `Host` the app hands over, so there is one state: the app's. Styles: one constructed sheet (the frame's
 * CSP allows no inline style), logical properties only, shared with the subscribe chunk (chunk-styles.ts).
 */
import type { Comment, Moderation, ThreadPage } from "../api";
import type { ComposeOptions, Composer } from "./compose";
import { api, button, cfg, editable, explain, h, has, ownHeaders, save, t, threadQuery, tokens, type Failure } from "./core";
import { adoptChunkStyles } from "./chunk-styles";
import { checking, verdict } from "./moderation";

/** One comment as the app shows it. */
export interface Item {
  c: Comment;
  el: HTMLElement;
  head: HTMLElement;
  body: HTMLElement;
  actions: HTMLElement;
  slot: HTMLElement;
  level: number;
  box?: HTMLElement;
  /** The author's own notice: why the comment is held or was refused. */
  note?: HTMLElement | undefined;
}

/** A compose form as the app makes it: its textarea now, the rest once the composer chunk is there. */
export interface Compose {
  form: HTMLFormElement;
  focus(): void;
  /** Loads the composer chunk (once) and resolves to the whole form. */
  ready(): Promise<Composer>;
}

/** What the app lends the chunk: its own functions, so that counts, ids and open forms stay the app's. */
export interface Host {
  open(item: Item, content: HTMLElement, focus?: { focus(): void }): void;
  close(item: Item, back?: HTMLElement | null): void;
  /** A newer state of the reader's own comment (its status, its moderation notice). */
  update(item: Item, fresh: Comment): void;
  /** The reader deleted the comment: uncount it and take it down. */
  drop(item: Item): void;
  compose(options: ComposeOptions): Compose;
  /** The app's live region (role=status). */
  status: HTMLElement;
  uid(): string;
  /** The comments shown, by id. */
  items: Map<number, Item>;
}

/** Each form or confirmation opens under its comment; `from` is the button that opened it. */
export interface Tools {
  edit(item: Item, from: HTMLButtonElement): void;
  remove(item: Item, from: HTMLButtonElement): void;
  report(item: Item, from: HTMLButtonElement): void;
  /** Writes (or clears) the notice on the reader's own comment: why it waits or was refused. */
  notice(item: Item): void;
  /** Says in the live region what became of the comment the reader just sent, when it was not simply published. */
  announce(moderation: Moderation): void;
}
export type ToolsInit = (host: Host) => Tools;

const REASONS = ["spam", "abuse", "personal_data", "off_topic", "misinformation", "other"];

function tools({ open, close, update, drop, compose, status, uid, items }: Host): Tools {
  /** A form under the comment: its fields, then Cancel and Send, then its error line. */
  const form = (item: Item, from: HTMLElement, send: string, submit: () => Promise<void>, ...fields: HTMLElement[]) => {
    const problem = h("p", { class: "fe", role: "alert" });
    return h("form", {
      class: "rf",
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          await submit();
        } catch (failure) {
          problem.textContent = explain(failure as Failure);
        }
      },
    },
      ...fields,
      h("div", { class: "bar" }, button(t("cancel"), () => close(item, from)), h("button", { type: "submit", class: "pri" }, t(send))),
      problem);
  };
  const labelled = <E extends HTMLElement>(label: string, control: E): [HTMLLabelElement, E] => [h("label", { for: (control.id = uid()) }, t(label)), control];

  const appeal = (item: Item, ask: HTMLButtonElement) => {
    const { c } = item;
    const message = h("textarea", { rows: 3, maxlength: 1000 });
    open(item, form(item, ask, "appealSend", async () => {
      // The edit token proves authorship; it outlives the edit window.
      await api(`/comments/${c.id}/appeal`, { message: message.value }, "POST", { "Parvis-Edit-Token": tokens()[c.id]?.token ?? "" });
      c.moderation = { ...c.moderation!, appealable: false, appealed: true };
      ask.textContent = t("appealed");
      ask.disabled = true;
      close(item, item.el);
      status.textContent = t("appealSent");
    }, ...labelled("appealNote", message)), message);
  };

  /** While a held comment's second automatic check runs (seconds), read the thread again every 2 s, a few times. */
  let checks = 0;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  const recheck = () => {
    if (timer || checks > 4) return;
    timer = setTimeout(async () => {
      checks++;
      try {
        // Newest first: the comment just posted is on the first page (a reply, within its thread).
        const page = await api<ThreadPage>(`/thread?${threadQuery}&sort=newest&limit=100`, undefined, "GET", ownHeaders());
        const found = new Map<number, Comment>();
        const walk = (list: Comment[]) => list.forEach((c) => (found.set(c.id, c), walk(c.replies)));
        walk(page.comments);
        timer = 0;
        for (const item of items.values()) {
          const fresh = found.get(item.c.id);
          if (fresh && checking(item.c.moderation)) update(item, fresh);
        }
      } catch {
        timer = 0;
        recheck();
      }
    }, 2000);
  };

  return {
    notice(item) {
      const m = item.c.moderation;
      item.note?.remove();
      item.note = undefined;
      if (!m || m.action == "publish") return;
      // All text nodes (a custom category's label is the site's).
      const note = (item.note = h("div", { class: "mn", role: "status" }, verdict(m, t, has, cfg.lang) + " "));
      if (m.action != "hold" && (m.appealable || m.appealed)) {
        const ask: HTMLButtonElement = button(t(m.appealed ? "appealed" : "appeal"), () => appeal(item, ask), { disabled: m.appealed });
        note.append(ask);
      }
      item.actions.before(note);
      if (checking(m)) recheck();
    },

    announce(m) {
      status.textContent = verdict(m, t, has, cfg.lang);
      checks = 0;
      if (checking(m)) recheck();
    },

    edit(item, from) {
      const { c } = item;
      item.body.hidden = true;
      const restore = () => ((item.body.hidden = false), close(item, from));
      const edit = compose({
        edit: c,
        source: editable(c.id)?.body ?? item.body.textContent ?? "",
        done: (edited) => {
          item.body.innerHTML = edited.html;
          c.html = edited.html;
          update(item, edited);
          if (!item.head.querySelector(".ed")) item.head.querySelector(".d")!.after(h("span", { class: "mu ed" }, t("edited")));
          restore();
          status.textContent = t("saved");
        },
        cancel: restore,
      });
      open(item, edit.form, edit);
    },

    remove(item, from) {
      const { c } = item;
      open(item, h("div", { class: "cf" },
        h("span", null, t("deleteConfirm")),
        button(t("delete"), async () => {
          try {
            await api(`/comments/${c.id}`, undefined, "DELETE", { "Parvis-Edit-Token": editable(c.id)?.token ?? "" });
            const held = tokens();
            delete held[c.id];
            save("tokens", held);
            drop(item);
            status.textContent = t("deletedOk");
          } catch (failure) {
            item.actions.querySelector(".fe")!.textContent = explain(failure as Failure);
          }
        }, { class: "pri" }),
        button(t("cancel"), () => close(item, from))), from);
    },

    report(item, from) {
      const reason = h("select", null, ...REASONS.map((value) => h("option", { value }, t("reason." + value))));
      const note = h("input", { maxlength: 500 });
      open(item, form(item, from, "reportSend", async () => {
        await api(`/comments/${item.c.id}/flags`, { reason: reason.value, note: note.value });
        item.slot.replaceChildren(h("p", { class: "nt", role: "status" }, t("reported")));
      }, ...labelled("reportReason", reason), ...labelled("reportNote", note)), reason);
    },
  };
}

adoptChunkStyles();
(window as unknown as Record<symbol, ToolsInit>)[Symbol.for("parvis.tools")] = tools;
