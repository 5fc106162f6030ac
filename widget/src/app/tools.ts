/**
 * A comment's less used tools: edit, delete, report, ask for a review. A chunk of its own (`tools-<hash>.js`)
 * that the app loads on the first click on one of them (most readers only read, reply and vote, and the app's
 * budget stays for that), as it loads the subscribe chunk. The buttons themselves are the app's, shown at once.
 *
 * The chunk brings its own copy of core.ts (the DOM and API helpers) but works on the app's comments through
 * the `Host` the app hands over, so there is one state: the app's. Styles: one constructed sheet (the frame's
 * CSP allows no inline style), logical properties only, shared with the subscribe chunk (forms.ts).
 */
import type { Comment } from "../api";
import type { composer } from "./compose";
import { api, button, editable, explain, h, save, t, tokens, type Failure } from "./core";
import { adoptFormStyles } from "./forms";

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

/** What the app lends the chunk: its own functions, so that counts, ids and open forms stay the app's. */
export interface Host {
  open(item: Item, content: HTMLElement, focus?: { focus(): void }): void;
  close(item: Item, back?: HTMLElement | null): void;
  /** A newer state of the reader's own comment (its status, its moderation notice). */
  update(item: Item, fresh: Comment): void;
  /** The reader deleted the comment: uncount it and take it down. */
  drop(item: Item): void;
  composer: typeof composer;
  /** The app's live region (role=status). */
  status: HTMLElement;
  uid(): string;
}

export type Tool = "edit" | "remove" | "report" | "appeal";
/** Each tool opens its form or confirmation under the comment; `from` is the button that opened it. */
export type Tools = Record<Tool, (item: Item, from: HTMLButtonElement) => void>;
export type ToolsInit = (host: Host) => Tools;

const REASONS = ["spam", "abuse", "personal_data", "off_topic", "misinformation", "other"];

function tools({ open, close, update, drop, composer, status, uid }: Host): Tools {
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

  return {
    edit(item, from) {
      const { c } = item;
      item.body.hidden = true;
      const restore = () => ((item.body.hidden = false), close(item, from));
      const edit = composer({
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

    appeal(item, ask) {
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
    },
  };
}

adoptFormStyles();
(window as unknown as Record<symbol, ToolsInit>)[Symbol.for("parvis.tools")] = tools;
