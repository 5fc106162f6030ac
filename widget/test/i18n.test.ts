// The translation tables: same keys everywhere, every plural category present, the right form chosen.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { relative, translator, type Messages } from "../src/app/i18n";

// Bundled into widget/.test-build/, run from there or from the source tree: find src/i18n either way.
const here = dirname(fileURLToPath(import.meta.url));
const folder = join(here, "..", "src", "i18n");
const languages = readdirSync(folder).filter((file) => file.endsWith(".json")).map((file) => file.slice(0, -5));
const table = (lang: string): Messages => JSON.parse(readFileSync(join(folder, lang + ".json"), "utf8"));
const english = table("en");

test("the four languages are there", () => {
  for (const lang of ["fr", "en", "he", "ar"]) assert.ok(languages.includes(lang), lang);
});

for (const lang of languages) {
  const messages = table(lang);
  const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;

  test(`${lang}: exactly the keys of en.json`, () => {
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(english).sort());
  });

  test(`${lang}: plural messages have every category of the language, strings stay strings`, () => {
    for (const [key, source] of Object.entries(english)) {
      const message = messages[key];
      if (typeof source == "string") {
        assert.equal(typeof message, "string", `${key} should be a string`);
        assert.ok((message as string).trim(), `${key} is empty`);
        continue;
      }
      assert.equal(typeof message, "object", `${key} should have plural forms`);
      for (const category of categories) assert.ok((message as Record<string, string>)[category], `${key}: "${category}" missing`);
      for (const category of Object.keys(message as object)) {
        assert.ok(["zero", "one", "two", "few", "many", "other"].includes(category), `${key}: "${category}" is not a category`);
      }
    }
  });

  test(`${lang}: placeholders match English`, () => {
    const names = (value: unknown) => [...new Set(JSON.stringify(value).match(/\{\w+\}/g) ?? [])].sort();
    for (const [key, source] of Object.entries(english)) {
      if (typeof source != "string") continue; // plural forms may spell a number out ("תגובה אחת")
      assert.deepEqual(names(messages[key]), names(source), key);
    }
  });

  test(`${lang}: every error code of the API is translated`, () => {
    const catalogue = readFileSync(join(here, "..", "..", "parvis", "core", "exceptions.py"), "utf8");
    const codes = [...catalogue.matchAll(/^ {4}[A-Z_]+ = "(\w+)"/gm)].map((match) => match[1]);
    assert.ok(codes.length > 30);
    for (const code of [...codes, "network", "timeout"]) assert.ok(messages["error." + code], `error.${code}`);
  });
}

test("Arabic picks zero, one, two, few, many and other", () => {
  const t = translator("ar", { comments: { zero: "z{n}", one: "o{n}", two: "t{n}", few: "f{n}", many: "m{n}", other: "x{n}" } });
  const forms = [0, 1, 2, 3, 10, 11, 99, 100, 101, 103].map((n) => t("comments", { n })[0]);
  assert.deepEqual(forms, ["z", "o", "t", "f", "f", "m", "m", "x", "x", "f"]);
  const real = translator("ar", table("ar"));
  assert.equal(real("comments", { n: 0 }), "لا تعليقات");
  assert.equal(real("comments", { n: 1 }), "تعليق واحد");
  assert.equal(real("comments", { n: 2 }), "تعليقان");
  assert.match(real("comments", { n: 3 }), /تعليقات$/);
  assert.match(real("comments", { n: 11 }), /تعليقًا$/);
  assert.match(real("comments", { n: 100 }), /تعليق$/);
});

test("French: 0 and 1 are singular, a million takes « de »", () => {
  const t = translator("fr", table("fr"));
  assert.equal(t("comments", { n: 0 }), "0 commentaire");
  assert.equal(t("comments", { n: 1 }), "1 commentaire");
  assert.equal(t("comments", { n: 2 }), "2 commentaires");
  assert.equal(t("comments", { n: 1000000 }).replace(/\s/g, " "), "1 000 000 de commentaires");
});

test("Hebrew has a dual, English does not", () => {
  const he = translator("he", table("he"));
  assert.equal(he("comments", { n: 1 }), "תגובה אחת");
  assert.equal(he("comments", { n: 2 }), "שתי תגובות");
  assert.equal(he("comments", { n: 5 }), "5 תגובות");
  const en = translator("en", english);
  assert.equal(en("comments", { n: 1 }), "1 comment");
  assert.equal(en("comments", { n: 2 }), "2 comments");
  assert.equal(en("comments", { n: 1234 }), "1,234 comments");
});

test("placeholders are filled, missing keys and forms degrade visibly", () => {
  const t = translator("en", { hello: "Hi {name}, {n} left", counted: { other: "{n} things" } });
  assert.equal(t("hello", { name: "Léa", n: 3 }), "Hi Léa, 3 left");
  assert.equal(t("counted", { n: 1 }), "1 things"); // "one" absent: falls back to "other"
  assert.equal(t("no.such.key"), "no.such.key");
  assert.equal(t("hello"), "Hi ,  left");
});

test("relative dates", () => {
  const now = Date.parse("2026-03-10T12:00:00Z");
  const fr = relative("fr");
  assert.equal(fr("2026-03-10T11:59:30Z", now), "maintenant");
  assert.equal(fr("2026-03-10T09:00:00Z", now), "il y a 3 heures");
  assert.equal(fr("2026-03-09T12:00:00Z", now), "hier");
  assert.equal(fr("2026-03-10T12:05:00Z", now), "maintenant"); // a clock ahead never says "in 5 minutes"
  assert.equal(relative("en")("2026-01-25T12:00:00Z", now), "last month");
  assert.match(relative("he")("2026-03-10T10:00:00Z", now), /^לפני /);
});
