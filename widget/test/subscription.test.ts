// The subscribe control's request and its double opt-in notice, in every language.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { translator, type Messages } from "../src/app/i18n";
import { confirmationNotice, subscriptionRequest } from "../src/app/subscription";

const here = dirname(fileURLToPath(import.meta.url));
const table = (lang: string): Messages => JSON.parse(readFileSync(join(here, "..", "src", "i18n", lang + ".json"), "utf8"));
const thread = { key: "article-1", url: "https://news.example/a/1", title: "Budget participatif" };

test("a thread subscription names the discussion; the address is sent trimmed, in the reader's language", () => {
  assert.deepEqual(subscriptionRequest("  lea@example.org ", "thread", "daily", "he", thread), {
    email: "lea@example.org", kind: "thread", frequency: "daily", language: "he",
    thread: { key: "article-1", url: "https://news.example/a/1", title: "Budget participatif" },
  });
});

test("a replies subscription covers the whole site: no thread is sent", () => {
  const body = subscriptionRequest("lea@example.org", "replies", "instant", "fr", thread);
  assert.equal("thread" in body, false);
  assert.equal(body.kind, "replies");
});

for (const lang of ["fr", "en", "he", "ar"]) {
  const t = translator(lang, table(lang));
  test(`${lang}: the notice names the address, isolated so it stays left to right`, () => {
    const notice = confirmationNotice(t, " lea@example.org ");
    assert.ok(notice.includes("\u2068lea@example.org\u2069"), notice);
    assert.ok(!notice.includes("{email}"), notice);
  });
  test(`${lang}: every label of the control and the errors the endpoint returns are translated`, () => {
    const messages = table(lang);
    for (const key of ["subscribe", "sub.kind.thread", "sub.kind.replies", "sub.frequency.instant", "sub.frequency.daily",
      "sub.send", "sub.note", "sub.feed", "error.invalid_email", "error.rate_limited", "error.url_not_allowed"]) {
      assert.equal(typeof messages[key], "string", key);
    }
    if (lang != "en") assert.notEqual(messages["sub.sent"], table("en")["sub.sent"]);
  });
}
