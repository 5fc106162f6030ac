/**
 * count.js: fills every [data-parvis-count] element of a listing page with "N comments" in the page's
 * language, asking Parvis for up to 100 threads per request. The attribute holds a thread key or an article
 * URL; left empty, the element's enclosing link (else the page itself) names the article.
 * Any failure logs one console error and leaves the page as it was.
 */
type Forms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const WORDS: Record<string, Forms> = {
  fr: { one: "commentaire", other: "commentaires" },
  en: { one: "comment", other: "comments" },
  he: { one: "תגובה", other: "תגובות" },
  ar: { zero: "تعليق", one: "تعليق", two: "تعليقان", few: "تعليقات", many: "تعليقًا", other: "تعليق" },
};

const fail = (message: string) => console.error(`Parvis: ${message}`);
const script = (document.currentScript ?? document.querySelector("script[data-parvis-site][src*='count']")) as HTMLScriptElement | null;

async function run(script: HTMLScriptElement) {
  const site = script.dataset.parvisSite;
  if (!site) return fail("the count script has no data-parvis-site attribute.");
  const endpoint = `${new URL(script.src).origin}/api/v1/sites/${encodeURIComponent(site)}/counts`;
  const page = location.href.split("#")[0]!;
  const elements = new Map<Element, string>();
  for (const element of document.querySelectorAll("[data-parvis-count]")) {
    elements.set(element, element.getAttribute("data-parvis-count")!.trim() || element.closest<HTMLAnchorElement>("a[href]")?.href || page);
  }
  const keys = [...new Set(elements.values())];
  if (!keys.length) return;

  let lang = document.documentElement.lang || "en";
  if (!Intl.PluralRules.supportedLocalesOf(lang).length) lang = "en";
  const words = WORDS[lang.slice(0, 2).toLowerCase()] ?? WORDS.en!;
  const plural = new Intl.PluralRules(lang);
  const number = new Intl.NumberFormat(lang);

  const counts: Record<string, number> = {};
  try {
    const batches = [];
    for (let i = 0; i < keys.length; i += 100) batches.push(keys.slice(i, i + 100));
    for (const answer of await Promise.all(
      batches.map(async (batch) => {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ keys: batch }),
          credentials: "omit",
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return (await response.json()) as { counts: Record<string, number> };
      }),
    ))
      Object.assign(counts, answer.counts);
  } catch (error) {
    return fail(`comment counts could not be loaded for site "${site}" (${error}).`);
  }
  for (const [element, key] of elements) {
    const count = counts[key];
    if (typeof count === "number") element.textContent = `${number.format(count)} ${words[plural.select(count)] ?? words.other}`;
  }
}

if (script) void run(script);
else fail("count.js could not find its own <script> element.");
