/**
 * Where "Sign in" with the publisher may send the top page. The app in the iframe asks (message "navigate"),
 * but the page decides: its own `data-parvis-sso-login` wins over the URL the app sent, and only http(s) URLs on
 * the page's own origin, or on the origin of that attribute, are followed. A compromised or confused frame can
 * thus never send the reader to a third-party (phishing) page, nor run a `javascript:` URL in the page.
 */
export function loginTarget(asked: unknown, page: string, pageLogin?: string): string | null {
  const parse = (value: unknown) => {
    try {
      return typeof value == "string" && value ? new URL(value, page) : null;
    } catch {
      return null;
    }
  };
  const own = parse(pageLogin);
  const target = own ?? parse(asked);
  if (!target || !/^https?:$/.test(target.protocol) || target.username || target.password) return null;
  const allowed = [new URL(page).origin, own?.origin];
  return allowed.includes(target.origin) ? target.href : null;
}
