/**
 * The postMessage protocol between the loader (on the publisher's page) and the app (in the Parvis
 * iframe). Every message is an object with a `parvis` version tag and a `type`; each side accepts
 * messages only from the one origin it expects (the loader: the Parvis origin and the iframe's
 * contentWindow; the app: the host origin it was given in its URL, which the server checked against the
 * site's allowed origins) and ignores anything else.
 */

export const PROTOCOL = 1;

/** W3C TextQuoteSelector: the passage of the article an inline comment is about. */
export interface TextQuote {
  exact: string;
  prefix: string;
  suffix: string;
}

export interface Theme {
  /** CSS custom properties, e.g. {"--parvis-accent": "#b3261e", "--parvis-font": "Georgia, serif"}. */
  vars: Record<string, string>;
  scheme: "light" | "dark" | "auto";
}

/** Loader → app. */
export type ToApp =
  | {
      parvis: 1;
      type: "init";
      theme: Theme;
      permalink: number | null;
      hasArticle: boolean;
      /** The publisher's fresh sign-on token for its signed-in reader (data-parvis-sso-token), to exchange once. */
      sso?: string | undefined;
      /** The page names its own sign-in page (data-parvis-sso-login): "navigate" goes there. */
      ssoLogin?: boolean;
    }
  | { parvis: 1; type: "compose-inline"; quote: TextQuote }
  | { parvis: 1; type: "open-passage"; ids: number[] }
  | { parvis: 1; type: "anchors-resolved"; orphans: number[] };

/** App → loader. */
export type ToLoader =
  | { parvis: 1; type: "ready" }
  | { parvis: 1; type: "height"; height: number }
  | { parvis: 1; type: "scroll-to"; offset: number }
  | { parvis: 1; type: "anchors"; anchors: Array<{ id: number; quote: TextQuote }> }
  | { parvis: 1; type: "count"; count: number }
  /** "Sign in" with the publisher: the loader sends the top page to its sign-in page (see loader.ts). */
  | { parvis: 1; type: "navigate"; url: string };

const TO_APP = new Set(["init", "compose-inline", "open-passage", "anchors-resolved"]);
const TO_LOADER = new Set(["ready", "height", "scroll-to", "anchors", "count", "navigate"]);

function tagged(data: unknown, types: Set<string>): data is { parvis: 1; type: string } {
  if (typeof data !== "object" || data === null) return false;
  const message = data as { parvis?: unknown; type?: unknown };
  return message.parvis === PROTOCOL && typeof message.type === "string" && types.has(message.type);
}

/** True for a well-formed loader → app message (shape only; the caller checks the origin). */
export function isToApp(data: unknown): data is ToApp {
  return tagged(data, TO_APP);
}

/** True for a well-formed app → loader message (shape only; the caller checks the origin and source). */
export function isToLoader(data: unknown): data is ToLoader {
  return tagged(data, TO_LOADER);
}
