/** What the subscribe control sends and says. Pure functions (no DOM, no configuration) so node tests cover
 * them; the control itself is subscribe.ts, a chunk loaded when the reader first opens it. */
import type { SubscriptionRequest } from "../api";
import type { Translate } from "./i18n";

export type Kind = SubscriptionRequest["kind"];
export type Frequency = SubscriptionRequest["frequency"];

/** The request body: a thread subscription names its thread, a replies subscription covers the whole site. */
export function subscriptionRequest(
  email: string, kind: Kind, frequency: Frequency, language: string,
  thread: { key: string | null; url: string | null; title: string },
): SubscriptionRequest {
  const body: SubscriptionRequest = { email: email.trim(), kind, frequency, language };
  if (kind == "thread") body.thread = { key: thread.key, url: thread.url, title: thread.title };
  return body;
}

/** The double opt-in answer: nothing is sent but the confirmation until the reader clicks the link in it. The
 * address is isolated (FSI … PDI) so it reads left to right in a Hebrew or Arabic sentence. */
export const confirmationNotice = (t: Translate, email: string) => t("sub.sent", { email: "\u2068" + email.trim() + "\u2069" });
