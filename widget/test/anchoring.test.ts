import assert from "node:assert/strict";
import { describe as group, test } from "node:test";
import { CONTEXT, MAX_EXACT, describe, locate, normalize } from "../src/loader/anchoring";

const ARTICLE = normalize(`
  Le conseil municipal a voté mardi soir le budget de l'année prochaine, après une séance de plus de quatre heures.
  La majorité a défendu une hausse mesurée des dépenses d'investissement, notamment pour la rénovation des écoles
  et la réfection de la voirie du centre-ville.

  L'opposition a dénoncé un budget « sans ambition » et regretté l'absence de mesures pour le logement des jeunes.
  Le maire a répondu que les travaux commenceraient au printemps. Les travaux commenceraient au printemps, a-t-il
  répété, si les subventions de la région arrivent à temps.

  Les associations de parents d'élèves, présentes dans la salle, ont salué la priorité donnée aux écoles, tout en
  demandant un calendrier précis des chantiers. Le vote a été acquis par vingt-trois voix contre onze.
`).text;

/** The span of `needle` in `text` (its n-th occurrence). */
function spanOf(text: string, needle: string, n = 0): { start: number; end: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `"${needle}" is in the text`);
  return { start: at, end: at + needle.length };
}

group("normalize", () => {
  test("collapses every run of white space to one space and maps back to the raw text", () => {
    const raw = "Un\n\t  deux\u00a0 trois";
    const { text, map } = normalize(raw);
    assert.equal(text, "Un deux trois");
    assert.equal(map.length, text.length);
    for (let i = 0; i < text.length; i++) if (text[i] !== " ") assert.equal(raw[map[i]!], text[i]);
  });
});

group("describe", () => {
  test("keeps the passage and up to 32 characters of context on each side", () => {
    const { start, end } = spanOf(ARTICLE, "une hausse mesurée des dépenses");
    const quote = describe(ARTICLE, start, end);
    assert.equal(quote.exact, "une hausse mesurée des dépenses");
    assert.equal(quote.prefix, ARTICLE.slice(start - CONTEXT, start));
    assert.equal(quote.suffix, ARTICLE.slice(end, end + CONTEXT));
    assert.equal(quote.prefix.length, 32);
  });

  test("leaves out white space at the ends and clips the context at the article's edges", () => {
    const quote = describe("Bonjour le monde", 0, 8);
    assert.deepEqual(quote, { exact: "Bonjour", prefix: "", suffix: " le monde" });
  });

  test("keeps at most MAX_EXACT characters of a long selection, from its beginning", () => {
    const quote = describe(ARTICLE.repeat(3), 10, ARTICLE.length * 3);
    assert.equal(quote.exact.length, MAX_EXACT);
    assert.equal(quote.exact, ARTICLE.repeat(3).slice(10, 10 + MAX_EXACT).trimEnd());
  });
});

group("locate", () => {
  test("finds every described passage where it was (round trip)", () => {
    for (const needle of ["Le conseil municipal", "la réfection de la voirie du centre-ville", "onze.", "écoles", "« sans ambition »"]) {
      const span = spanOf(ARTICLE, needle);
      assert.deepEqual(locate(ARTICLE, describe(ARTICLE, span.start, span.end)), span, needle);
    }
  });

  test("tells apart a passage that occurs twice by its context", () => {
    const needle = "travaux commenceraient au printemps";
    const first = spanOf(ARTICLE, needle, 0);
    const second = spanOf(ARTICLE, needle, 1);
    assert.notEqual(first.start, second.start);
    assert.deepEqual(locate(ARTICLE, describe(ARTICLE, first.start, first.end)), first);
    assert.deepEqual(locate(ARTICLE, describe(ARTICLE, second.start, second.end)), second);
  });

  test("normalises white space in a stored quote", () => {
    const span = spanOf(ARTICLE, "la rénovation des écoles et la réfection");
    const quote = { exact: "la rénovation des écoles\n  et la réfection", prefix: "", suffix: "" };
    assert.deepEqual(locate(ARTICLE, quote), span);
  });

  group("after the article was edited", () => {
    const passage = "L'opposition a dénoncé un budget « sans ambition » et regretté l'absence de mesures pour le logement des jeunes.";
    const span = spanOf(ARTICLE, passage);
    const quote = describe(ARTICLE, span.start, span.end);

    const expectNear = (edited: string, expected: string) => {
      const found = locate(edited, quote);
      assert.ok(found, "the passage is found");
      const want = spanOf(edited, expected);
      assert.ok(Math.abs(found.start - want.start) <= 2 && Math.abs(found.end - want.end) <= 2, `found ${JSON.stringify(edited.slice(found.start, found.end))}`);
    };

    test("a word changed inside the passage", () => {
      const changed = passage.replace("regretté", "déploré");
      expectNear(ARTICLE.replace(passage, changed), changed);
    });

    test("text inserted before the passage", () => {
      const inserted = "Mise à jour à 18 h : le préfet a été saisi du dossier. ";
      const edited = ARTICLE.replace("L'opposition", inserted + "L'opposition");
      assert.deepEqual(locate(edited, quote), spanOf(edited, passage));
      const elsewhere = "Une rectification a été publiée. " + ARTICLE;
      assert.deepEqual(locate(elsewhere, quote), spanOf(elsewhere, passage));
    });

    test("punctuation changed", () => {
      const changed = passage.replace("« sans ambition »", '"sans ambition"').replace("jeunes.", "jeunes !");
      expectNear(ARTICLE.replace(passage, changed), changed);
    });

    test("a word changed inside the passage and its context rewritten", () => {
      const changed = passage.replace("logement", "relogement");
      const edited = ARTICLE.replace(passage, changed)
        .replace("et la réfection de la voirie du centre-ville.", "et la voirie.")
        .replace("Le maire a répondu", "En réponse, le maire a assuré");
      expectNear(edited, changed);
    });

    test("a passage that was deleted is an orphan", () => {
      assert.equal(locate(ARTICLE.replace(passage, ""), quote), null);
    });

    test("a passage that was rewritten beyond recognition is an orphan", () => {
      const edited = ARTICLE.replace(passage, "Les élus d'opposition ont voté contre, faute de mesures nouvelles pour les jeunes ménages.");
      assert.equal(locate(edited, quote), null);
    });
  });

  test("an empty quote locates nothing", () => {
    assert.equal(locate(ARTICLE, { exact: "  ", prefix: "", suffix: "" }), null);
  });

  test("a long article", () => {
    // 300 000 characters of pseudo-random French words, plus repeated boilerplate.
    const words = ARTICLE.split(" ").filter(Boolean);
    let seed = 42;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    const paragraphs: string[] = [];
    for (let n = 0, length = 0; length < 300_000; n++) {
      const sentence = Array.from({ length: 30 }, () => words[(next() >>> 16) % words.length]).join(" ");
      paragraphs.push(n % 10 === 0 ? `Lire aussi : notre dossier spécial. ${sentence}.` : `${sentence}.`);
      length += paragraphs[n]!.length + 1;
    }
    const long = paragraphs.join(" ");
    const at = Math.floor(long.length * 0.7);
    const quote = describe(long, at, at + 140);
    assert.deepEqual(locate(long, quote), { start: at, end: at + 140 });

    // Edited inside: found by approximation, at the right place.
    const exact = long.slice(at, at + 140);
    const changed = exact.slice(0, 50) + "[modifié]" + exact.slice(60);
    const edited = long.slice(0, at) + changed + long.slice(at + 140);
    const found = locate(edited, quote);
    assert.ok(found);
    assert.ok(Math.abs(found.start - at) <= 2 && Math.abs(found.end - (at + changed.length)) <= 2);

    // Repeated boilerplate is told apart by its context.
    const boiler = spanOf(long, "Lire aussi : notre dossier spécial.", 7);
    assert.deepEqual(locate(long, describe(long, boiler.start, boiler.end)), boiler);

    // A long quote that is gone: the work is bounded (no assertion on the answer).
    const gone = describe(long, at, at + 3000);
    locate(long.slice(0, at) + long.slice(at + 3000), gone);
  });
});
