/** UI strings: one JSON table per language, plurals chosen with Intl.PluralRules. */

/** A string, or plural forms keyed by Intl.PluralRules category ("zero", "one", "two", "few", "many", "other"). */
export type Messages = Record<string, string | Record<string, string>>;
export type Vars = Record<string, string | number>;
export type Translate = (key: string, vars?: Vars) => string;

/**
 * Returns t(key, vars): the message for `key` with `{name}` placeholders filled; numbers are formatted
 * for the language. For plural messages `vars.n` picks the form (falling back to "other"). A missing key
 * gives the key itself, so a gap shows up instead of crashing.
 */
export function translator(lang: string, messages: Messages): Translate {
  const rules = new Intl.PluralRules(lang);
  const number = new Intl.NumberFormat(lang);
  return (key, vars = {}) => {
    let message = messages[key] ?? key;
    if (typeof message == "object") message = message[rules.select(Number(vars.n))] ?? message.other ?? key;
    return message.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = vars[name] ?? "";
      return typeof value == "number" ? number.format(value) : value;
    });
  };
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["second", 60], ["minute", 60], ["hour", 24], ["day", 7], ["week", 4.35], ["month", 12], ["year", Infinity],
];

/** "il y a 3 heures", "hier", "à l'instant"-like relative dates; never in the future (clock skew). */
export function relative(lang: string): (iso: string, now?: number) => string {
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  return (iso, now = Date.now()) => {
    let value = Math.min(0, (Date.parse(iso) - now) / 1000);
    for (const [unit, size] of UNITS) {
      if (-value < size) return format.format(unit == "second" ? 0 : Math.round(value), unit);
      value /= size;
    }
    return "";
  };
}
