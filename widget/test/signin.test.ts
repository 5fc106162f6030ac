// Who may comment (the banner instead of the form), and where "Sign in" with the publisher may send the page.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Reader, SignInDoors } from "../src/api";
import { mayComment, verdict } from "../src/app/gate";
import type { Messages } from "../src/app/i18n";
import { loginTarget } from "../src/loader/navigate";

const here = dirname(fileURLToPath(import.meta.url));
const table = (lang: string): Messages => JSON.parse(readFileSync(join(here, "..", "src", "i18n", lang + ".json"), "utf8"));
const reader = (roles: string[], badge: Reader["badge"] = null): Reader => ({
  id: 1, name: "Léa", verified: true, badge, roles, avatar_url: null, profile_public: true, name_changeable_at: null,
});
const sso: SignInDoors = { sso: { login_url: "https://news.example/login", label: "Le Quotidien" }, oidc: null, email: false };
const none: SignInDoors = { sso: null, oidc: null, email: false };

test("a guest on a subscribers-only thread is asked to sign in, not shown the form", () => {
  assert.deepEqual(verdict("subscribers", null, sso), { open: false, message: "gate.subscribers", signIn: true });
});

test("a signed-in reader who is not a subscriber is told so, without a sign-in button", () => {
  assert.deepEqual(verdict("subscribers", reader([]), sso), { open: false, message: "gate.subscribers.reader", signIn: false });
});

test("subscribers and staff may comment on a subscribers-only thread; only staff on a staff thread", () => {
  assert.equal(mayComment("subscribers", reader(["subscriber"])), true);
  assert.equal(mayComment("subscribers", reader([], "journalist")), true);
  assert.equal(mayComment("subscribers", reader(["editor"])), true);
  assert.equal(mayComment("staff", reader(["subscriber"])), false);
  assert.equal(mayComment("staff", reader([], "staff")), true);
  assert.equal(mayComment("signed_in", reader([])), true);
  assert.equal(mayComment("signed_in", null), false);
});

test("an open thread shows the form, and a guest may still sign in when the site offers a way", () => {
  assert.deepEqual(verdict("anyone", null, sso), { open: true, message: "", signIn: true });
  assert.deepEqual(verdict("anyone", reader([]), sso), { open: true, message: "", signIn: false });
});

test("without any way in (SSO tokens from the page only), a guest reads the rule without a dead button", () => {
  const pageOnly: SignInDoors = { sso: { login_url: "", label: "Le Quotidien" }, oidc: null, email: false };
  assert.deepEqual(verdict("signed_in", null, pageOnly), { open: false, message: "gate.signed_in.reader", signIn: false });
  assert.equal(verdict("signed_in", null, pageOnly, true).signIn, true); // the page has data-parvis-sso-login
  assert.equal(verdict("staff", null, none).message, "gate.staff.reader");
  assert.equal(verdict("staff", null, { ...none, email: true }).message, "gate.staff");
});

for (const lang of ["en", "fr", "he", "ar"]) {
  test(`${lang}: every banner, badge and sign-in label is translated`, () => {
    const messages = table(lang);
    for (const rule of ["signed_in", "subscribers", "staff"]) {
      for (const key of [`gate.${rule}`, `gate.${rule}.reader`]) assert.equal(typeof messages[key], "string", key);
    }
    for (const key of ["signIn", "signInWith", "signInEmail", "emailLink", "emailSent", "signedInAs", "signOut", "signOutAll",
      "verified", "badge.author", "badge.staff", "badge.journalist", "badge.subscriber", "popupBlocked"]) {
      assert.equal(typeof messages[key], "string", key);
      if (lang != "en") assert.notEqual(messages[key], table("en")[key], key);
    }
  });
}

const page = "https://news.example/2026/budget?x=1";

test("the loader follows a sign-in page on the page's own origin", () => {
  assert.equal(loginTarget("https://news.example/login?next=/a", page), "https://news.example/login?next=/a");
  assert.equal(loginTarget("/login", page), "https://news.example/login");
});

test("the loader refuses other origins, javascript: and data: URLs, and credentials in the URL", () => {
  for (const url of ["https://evil.example/login", "javascript:alert(1)", "data:text/html,hi", "//evil.example/x",
    "https://user:pw@news.example/login", "http://news.example.evil.example/", "", 42, null]) {
    assert.equal(loginTarget(url, page), null, String(url));
  }
});

test("the page's own data-parvis-sso-login wins over what the frame asks, even on another origin", () => {
  assert.equal(loginTarget("https://evil.example/", page, "https://accounts.news.example/sign-in"), "https://accounts.news.example/sign-in");
  assert.equal(loginTarget("", page, "javascript:alert(1)"), null);
});
