/** Who may comment here, and what the app says instead of the compose form to a reader who may not. Pure (no
 * DOM, no configuration) so node tests cover every rule; the server decides again on every post (rules.py),
 * this only spares readers a form they could not send. */
import type { Reader, Rule, SignInDoors } from "../api";

/** Mirrors parvis/identity/rules.py: staff (badge, or a newsroom role) count as subscribers. */
const STAFF_ROLES = ["staff", "journalist", "editor"];

export function mayComment(rule: Rule, reader: Reader | null): boolean {
  if (rule == "anyone") return true;
  if (!reader) return false;
  const staff = reader.badge == "staff" || reader.badge == "journalist" || reader.roles.some((role) => STAFF_ROLES.includes(role));
  if (rule == "staff") return staff;
  return rule == "signed_in" || staff || reader.roles.includes("subscriber");
}

/** True when the reader has a way to sign in from the widget: a publisher sign-in page (the site's `login_url`
 * or the page's own data-parvis-sso-login), an OpenID Connect provider, or an emailed link. */
export const canSignIn = (doors: SignInDoors, pageLogin = false) => !!((doors.sso && (doors.sso.login_url || pageLogin)) || doors.oidc || doors.email);

export interface Verdict {
  /** The compose form is shown. */
  open: boolean;
  /** The banner's message key when it is not (the guest variants end with "Sign in"). */
  message: string;
  /** A "Sign in" button is offered (with the banner, or beside the form for a guest who may sign in). */
  signIn: boolean;
}

/** What the write area shows for ``rule`` to ``reader`` (null: a guest). A guest is asked to sign in when the
 * site offers a way; a signed-in reader who still may not comment (not a subscriber) is told so, without a
 * button: signing in again would not change it. */
export function verdict(rule: Rule, reader: Reader | null, doors: SignInDoors, pageLogin = false): Verdict {
  const signIn = !reader && canSignIn(doors, pageLogin);
  if (mayComment(rule, reader)) return { open: true, message: "", signIn };
  return { open: false, message: `gate.${rule}${signIn ? "" : ".reader"}`, signIn };
}
