/**
 * Anchoring inline comments to passages of the article with W3C TextQuoteSelectors.
 *
 * The article is read as one flat, whitespace-normalised string (every run of white space is one " ").
 * `describe` turns a span of that string into a quote; `locate` finds a quote again after the article
 * was edited: exact match (the prefix and suffix pick among repeats), else a bounded approximate match
 * near where the context or parts of the passage still match, else null (an orphan). The core is pure;
 * only `readArticle`, `rangeAt` and `offsetAt` touch the DOM.
 */
import type { TextQuote } from "../protocol";

/** Characters of context kept on each side of a quote. */
export const CONTEXT = 32;
/** Longest passage kept (the API's limit): a longer selection is anchored by its beginning. */
export const MAX_EXACT = 1000;
/** Errors tolerated by the approximate match, as a share of the quote's length. */
const MAX_ERROR_RATE = 0.2;
/** Cells of dynamic programming the approximate match may compute for one quote (keeps long articles fast). */
const BUDGET = 1e7;
/** Occurrences beyond which a piece of context or of the passage is too common to locate it. */
const CLUES = 20;

export interface Span {
  start: number;
  end: number;
}

/** Collapses white space; `map[i]` is the index in `raw` of the normalised text's character i. */
export function normalize(raw: string): { text: string; map: number[] } {
  const parts: string[] = [];
  const map: number[] = [];
  const space = /\s+/g;
  let done = 0;
  for (let run = space.exec(raw); ; run = space.exec(raw)) {
    const end = run ? run.index : raw.length;
    parts.push(raw.slice(done, end));
    for (let i = done; i < end; i++) map.push(i);
    if (!run) break;
    parts.push(" ");
    map.push(run.index);
    done = space.lastIndex;
  }
  return { text: parts.join(""), map };
}

const squash = (s: string) => s.replace(/\s+/g, " ");

/** The quote of text[start, end) (white space at its ends is left out, at most MAX_EXACT), with its context. */
export function describe(text: string, start: number, end: number): TextQuote {
  while (start < end && text[start] === " ") start++;
  end = Math.min(end, start + MAX_EXACT);
  while (end > start && text[end - 1] === " ") end--;
  return { exact: text.slice(start, end), prefix: text.slice(Math.max(0, start - CONTEXT), start), suffix: text.slice(end, end + CONTEXT) };
}

/** How many characters of context agree around text[start, end): a tie-breaker between candidates. */
function context(text: string, start: number, end: number, prefix: string, suffix: string): number {
  let score = 0;
  for (let i = 1; i <= prefix.length && text[start - i] === prefix[prefix.length - i]; i++) score++;
  for (let i = 0; i < suffix.length && text[end + i] === suffix[i]; i++) score++;
  return score;
}

/** Start offsets of `needle` in `text` (at most `limit`). */
function occurrences(text: string, needle: string, limit = 1000): number[] {
  const found: number[] = [];
  if (!needle) return found;
  for (let at = text.indexOf(needle); at >= 0 && found.length < limit; at = text.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/**
 * Best approximate occurrence of the quote in text[from, to) with at most k errors (Sellers' algorithm:
 * edit distance to any substring, with the start of the alignment carried along each column). Its cost
 * is the errors plus one for every two characters of context that no longer agree.
 */
function approximate(text: string, quote: TextQuote, from: number, to: number, k: number): { start: number; end: number; cost: number } | null {
  const { exact: pattern, prefix, suffix } = quote;
  const m = pattern.length;
  const codes = new Uint16Array(m);
  for (let i = 0; i < m; i++) codes[i] = pattern.charCodeAt(i);
  let cost = new Int32Array(m + 1);
  let start = new Int32Array(m + 1);
  let nextCost = new Int32Array(m + 1);
  let nextStart = new Int32Array(m + 1);
  for (let i = 0; i <= m; i++) {
    cost[i] = i;
    start[i] = from;
  }
  let best: { start: number; end: number; cost: number } | null = null;
  for (let j = from; j < to; j++) {
    const ch = text.charCodeAt(j);
    // Column j + 1 from column j: left = this column's cell above, diagonal and up = the previous column's.
    let left = 0;
    let leftStart = j + 1;
    let diagonal = cost[0]!;
    let diagonalStart = start[0]!;
    nextCost[0] = 0;
    nextStart[0] = j + 1;
    for (let i = 1; i <= m; i++) {
      const up = cost[i]!;
      const upStart = start[i]!;
      let c = diagonal + (codes[i - 1] === ch ? 0 : 1);
      let s = diagonalStart;
      if (up + 1 < c) [c, s] = [up + 1, upStart];
      if (left + 1 < c) [c, s] = [left + 1, leftStart];
      nextCost[i] = left = c;
      nextStart[i] = leftStart = s;
      diagonal = up;
      diagonalStart = upStart;
    }
    [cost, nextCost, start, nextStart] = [nextCost, cost, nextStart, start];
    if (cost[m]! <= k) {
      const found = { start: start[m]!, end: j + 1, cost: 0 };
      found.cost = cost[m]! + (prefix.length + suffix.length - context(text, found.start, found.end, prefix, suffix)) / 2;
      if (!best || found.cost < best.cost) best = found;
    }
  }
  return best;
}

/** Where `quote` is in `text` now, or null when the passage is gone. */
export function locate(text: string, quote: TextQuote): Span | null {
  const exact = squash(quote.exact).trim();
  const prefix = squash(quote.prefix);
  const suffix = squash(quote.suffix);
  const m = exact.length;
  if (!m) return null;

  // 1. Exact occurrences; the context decides between repeats (the first one wins a tie).
  let best: Span | null = null;
  let bestScore = -1;
  for (const at of occurrences(text, exact)) {
    const score = context(text, at, at + m, prefix, suffix);
    if (score > bestScore) [best, bestScore] = [{ start: at, end: at + m }, score];
  }
  if (best) return best;

  // 2. Approximate: where the passage would start judging by its context or by pieces of itself that survived.
  const k = Math.floor(m * MAX_ERROR_RATE);
  if (k < 1) return null;
  const guesses: number[] = [];
  // A clue found at `at` says the passage starts at `at + shift`; clues found too often say nothing.
  const clue = (needle: string, shift: number) => {
    const found = needle.length >= 4 ? occurrences(text, needle, CLUES + 1) : [];
    if (found.length <= CLUES) for (const at of found) guesses.push(at + shift);
  };
  clue(prefix.slice(-16), Math.min(16, prefix.length));
  clue(suffix.slice(0, 16), -m);
  const pieces = Math.min(4, Math.max(1, Math.floor(m / 8)));
  const size = Math.ceil(m / pieces);
  for (let p = 0; p < pieces; p++) clue(exact.slice(p * size, (p + 1) * size), -p * size);
  // Guesses within k of each other are one place; places that more clues agree on are tried first.
  guesses.sort((a, b) => a - b);
  const places: Array<{ from: number; to: number; votes: number }> = [];
  for (const guess of guesses) {
    const place = places[places.length - 1];
    if (place && guess - place.to <= k) {
      place.to = guess;
      place.votes++;
    } else places.push({ from: guess, to: guess, votes: 1 });
  }
  places.sort((a, b) => b.votes - a.votes);

  let found: { start: number; end: number; cost: number } | null = null;
  let spent = 0;
  for (const place of places) {
    const from = Math.max(0, place.from - 2 * k - 8);
    const to = Math.min(text.length, place.to + m + 2 * k + 8);
    spent += m * (to - from);
    if (spent > BUDGET) break;
    const match = approximate(text, { exact, prefix, suffix }, from, to, k);
    if (match && (!found || match.cost < found.cost)) found = match;
  }
  if (!found) return null;
  let { start, end } = found;
  while (start < end && text[start] === " ") start++;
  while (end > start && text[end - 1] === " ") end--;
  return end > start ? { start, end } : null;
}

// ---- DOM ------------------------------------------------------------------------------------------------

/** The article's text as the anchoring functions see it, with the way back to its text nodes. */
export interface ArticleText {
  text: string;
  /** Normalised offset → offset in the concatenated raw text. */
  map: number[];
  nodes: Text[];
  /** Raw offset at which each node starts. */
  starts: number[];
  length: number;
}

export function readArticle(root: Element): ArticleText {
  const nodes: Text[] = [];
  const starts: number[] = [];
  let raw = "";
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement?.closest("script,style,noscript,template,textarea") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push(node as Text);
    starts.push(raw.length);
    raw += (node as Text).data;
  }
  return { ...normalize(raw), nodes, starts, length: raw.length };
}

/** Index of the last element of a sorted array that is ≤ value (0 when none is). */
function floor(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A DOM Range over the normalised span. */
export function rangeAt(article: ArticleText, span: Span): Range | null {
  if (!article.nodes.length || span.end <= span.start) return null;
  const point = (raw: number): [Text, number] => {
    const n = floor(article.starts, raw);
    return [article.nodes[n]!, raw - article.starts[n]!];
  };
  const range = document.createRange();
  range.setStart(...point(article.map[span.start]!));
  const [node, offset] = point(article.map[span.end - 1]!);
  range.setEnd(node, offset + 1);
  return range;
}

/** The normalised offset of a DOM boundary point (node, offset) in the article. */
export function offsetAt(article: ArticleText, node: Node, offset: number): number {
  let raw: number;
  const n = node.nodeType === Node.TEXT_NODE ? article.nodes.indexOf(node as Text) : -1;
  if (n >= 0) raw = article.starts[n]! + offset;
  else {
    // The first text node after the point (nodes are in document order).
    const here = document.createRange();
    here.setStart(node, offset);
    let lo = 0;
    let hi = article.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (here.comparePoint(article.nodes[mid]!, 0) >= 0) hi = mid;
      else lo = mid + 1;
    }
    raw = lo < article.nodes.length ? article.starts[lo]! : article.length;
  }
  // The first normalised character at or after the raw offset.
  let lo = 0;
  let hi = article.map.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (article.map[mid]! >= raw) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
