// What authors are told about their held or refused comments, in every language, and the compose timer.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Moderation, Reason } from "../src/api";
import { translator, type Messages } from "../src/app/i18n";
import { checking, stopwatch, verdict } from "../src/app/moderation";

const here = dirname(fileURLToPath(import.meta.url));
const folder = join(here, "..", "src", "i18n");
const backend = join(here, "..", "..", "parvis", "moderation");
const languages = readdirSync(folder).filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -5));
const table = (lang: string): Messages => JSON.parse(readFileSync(join(folder, lang + ".json"), "utf8"));

// The codes the server can send, read from its source so a new one fails here until the widget words it:
// the policy categories, and why a comment waits when no category fired.
const categories = [...readFileSync(join(backend, "categories.py"), "utf8").matchAll(/^ {4}[A-Z_]+ = "(\w+)"$/gm)].map((m) => m[1]!);
const holds = readFileSync(join(backend, "pipeline.py"), "utf8").match(/^PREMODERATION, [^=]+= \(\s*([^)]*)\)/m)?.[1];
const waits = [...(holds ?? "").matchAll(/"(\w+)"/g)].map((m) => m[1]!);

const held = (...reasons: Reason[]): Moderation => ({ action: "hold", reasons, appealable: true, appealed: false });
const refused = (action: "reject" | "spam", ...reasons: Reason[]): Moderation => ({ action, reasons, appealable: true, appealed: false });
const reason = (code: string, label = ""): Reason => ({ code, label });

test("the codes are found in the server's source", () => {
  assert.deepEqual(categories, ["spam", "toxic", "insult", "hate", "antisemitism", "racism", "threat", "defamation", "personal_data", "links"]);
  assert.deepEqual(waits, ["premoderation", "first_comment", "surge", "checking", "unavailable"]);
});

for (const lang of languages) {
  const messages = table(lang);
  const t = translator(lang, messages);
  const has = (key: string) => key in messages;
  const say = (moderation: Moderation) => verdict(moderation, t, has, lang);

  test(`${lang}: every reason code has its own words, in the held and the refused sentence`, () => {
    const seen = new Set<string>();
    for (const code of [...categories, ...waits]) {
      const words = messages["why." + code];
      assert.equal(typeof words, "string", `why.${code} missing`);
      assert.ok(!seen.has(words as string), `why.${code} says the same as another code`);
      seen.add(words as string);
      for (const moderation of [held(reason(code, "ignored label")), refused("reject", reason(code)), refused("spam", reason(code))]) {
        const sentence = say(moderation);
        assert.ok(sentence.includes(words as string), `${code}: ${sentence}`);
        assert.ok(!sentence.includes("ignored label"), "a known code is worded by the widget, not by the label");
        assert.doesNotMatch(sentence, /\{\w+\}|why\.|Why/, sentence);
      }
    }
  });

  test(`${lang}: held and refused read differently, with or without reasons`, () => {
    const hold = say(held(reason("personal_data")));
    const reject = say(refused("reject", reason("personal_data")));
    assert.notEqual(hold, reject);
    assert.equal(say(refused("spam", reason("spam"))), say(refused("reject", reason("spam"))));
    assert.equal(say(held()), messages.held);
    assert.equal(say(refused("reject")), messages.refused);
    assert.equal(say({ action: "publish", reasons: [], appealable: false, appealed: false }), "");
  });

  test(`${lang}: a custom category is named by the site's label, taken as plain text`, () => {
    const label = "Attaques <b>personnelles</b> & {n}";
    const sentence = say(refused("reject", reason("personal_attacks", label)));
    assert.ok(sentence.includes(label), sentence);
    // No label (an older server): the slug is better than nothing.
    assert.ok(say(held(reason("local_rule"))).includes("local_rule"));
  });

  test(`${lang}: several reasons are joined the language's way`, () => {
    const sentence = say(refused("reject", reason("insult"), reason("threat")));
    assert.ok(sentence.includes(t("why.insult")) && sentence.includes(t("why.threat")), sentence);
    const joined = new Intl.ListFormat(lang).format([t("why.insult"), t("why.threat")]);
    assert.ok(sentence.includes(joined), sentence);
  });
}

test("the expected wording, in English and in French", () => {
  const en = translator("en", table("en"));
  const fr = translator("fr", table("fr"));
  const enHas = (key: string) => key in table("en");
  const frHas = (key: string) => key in table("fr");
  assert.equal(
    verdict(held(reason("personal_data")), en, enHas, "en"),
    "Your comment is waiting for a moderator because it seems to contain personal data (a phone number or an address).",
  );
  assert.equal(
    verdict(refused("spam", reason("spam"), reason("links")), en, enHas, "en"),
    "Your comment was not published because it looks like spam or advertising and it contains links, which are checked before they appear.",
  );
  assert.equal(
    verdict(held(reason("premoderation")), fr, frHas, "fr"),
    "Votre commentaire attend la validation d’un modérateur, car les commentaires de ce site sont lus avant d’être publiés.",
  );
});

test("a comment is still being checked only while the server says so", () => {
  assert.equal(checking(held(reason("checking"))), true);
  assert.equal(checking(held(reason("toxic"), reason("checking"))), true);
  assert.equal(checking(held(reason("toxic"))), false);
  assert.equal(checking(null), false);
  assert.equal(checking(undefined), false);
});

test("the stopwatch counts from the first start, in tenths of a second", () => {
  let now = 1000;
  const watch = stopwatch(() => now);
  assert.equal(watch.seconds(), undefined); // never touched: nothing to say
  watch.start();
  now += 5000;
  watch.start(); // a later focus does not restart it
  now += 2345;
  assert.equal(watch.seconds(), 7.3);
  now += 60_000;
  assert.equal(watch.seconds(), 67.3);
});

test("a stopwatch started and read at once says zero", () => {
  const watch = stopwatch(() => 42);
  watch.start();
  assert.equal(watch.seconds(), 0);
});
