/** What the author is told about their own held or refused comment, and the timer sent with a new comment.
 * Pure functions (no DOM, no configuration) so node tests cover them in every language. */
import type { Moderation } from "../api";
import type { Translate } from "./i18n";

/**
 * One sentence: "Your comment is waiting for a moderator because …" or "Your comment was not published
 * because …", the reasons joined the language's way ("A, B and C"). Known codes have their own wording
 * (`why.<code>`); any other code is a site's custom category, named by the label the site gave it (plain
 * text: it is only ever inserted as a text node). Nothing to say about a published comment.
 */
export function verdict(moderation: Moderation, t: Translate, has: (key: string) => boolean, lang: string): string {
  if (moderation.action == "publish") return "";
  const reasons = moderation.reasons.map(({ code, label }) => (has("why." + code) ? t("why." + code) : t("whyCustom", { label: label || code })));
  const kind = moderation.action == "hold" ? "held" : "refused";
  return reasons.length ? t(kind + "Why", { reasons: new Intl.ListFormat(lang).format(reasons) }) : t(kind);
}

/** Whether the server is still deciding (a second automatic check that ends within seconds). */
export const checking = (moderation?: Moderation | null) => !!moderation?.reasons.some((reason) => reason.code == "checking");

/**
 * Seconds from the reader's first move in a form (focus, typing, or opening a reply form) to sending it, to a
 * tenth of a second: a spam signal for the server (people take a while, scripts do not). Only the first `start`
 * counts; `seconds` is undefined if the form was never touched. A new comment takes a new stopwatch.
 */
export function stopwatch(now: () => number = () => performance.now()) {
  let started: number | undefined;
  return {
    start: () => void (started ??= now()),
    seconds: () => (started == null ? undefined : Math.round((now() - started) / 100) / 10),
  };
}
