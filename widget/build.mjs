// Builds the widget into parvis/embed/static/parvis-widget/ and enforces the size budgets.
//   embed.js  the loader, at a stable URL (publishers paste it once); the server adds ETag + short caching
//   count.js  the count script, stable URL likewise
//   app-[hash].js / app-[hash].css   the app inside the Parvis iframe (immutable, long caching)
//   inline-[hash].js                 inline-comment support, loaded by the loader only when the page has
//                                    data-parvis-article
//   subscribe-[hash].js              the subscribe control, loaded by the app when the reader first opens it
//   composer-[hash].js               the post/reply/edit form around the textarea the app shows at once, loaded
//                                    by the app on the first focus, press or key in it, a Reply, or a saved draft
//   tools-[hash].js                  a comment's edit, delete, report and appeal tools, loaded by the app on the
//                                    first click on one of them
//   signin-[hash].js                 who may comment, the ways of signing in and the signed-in reader's bar,
//                                    loaded by the app when the thread is not open to all, a session is kept,
//                                    the page passed a publisher token, or on "Sign in"
//   live-[hash].js                   the thread's event stream (polling where there is none), the "new comments"
//                                    bar and take-downs since, loaded by the app once the first page is shown
//   i18n/<lang>.json                 copied as is; the server embeds the reader's language in the frame page
//   meta.json                        file names and gzip sizes, read by the server
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "parvis", "embed", "static", "parvis-widget");
// gzip bytes; the loader also carries the inline chunk's name, the app counts its JS and CSS together.
// The app's +112 B: the "edited by the moderation" mark and live take-downs/late approvals (issue 5).
// The subscribe control (issue 6) is a chunk of its own with its own budget: the app grows only by its button
// and the two lines that load the chunk, paid for by moving <html lang dir> and <base target> into the frame page.
// Issue 7 (what a reader downloads on a first view ≤ ½ of Isso's embed): editing, deleting, reporting and the
// notices on one's own held comments moved to the tools chunk, loaded on first use; the app's budget follows
// them down (10,400 → 9,600 B) so they cannot creep back.
// Then the compose form (all but its textarea, which the app shows at once) moved to the composer chunk, loaded
// on the first touch of the textarea, a Reply, or a saved draft: 9,600 → 8,192 B, and a first view (loader +
// app) is 9.9 KB gzip, under half of Isso's embed.min.js (20,452 B).
// Signing in (the identity issue): everything but the first paint's part is the signin chunk (who may comment,
// the three ways in, the reader's bar, refresh and sign-out), with a budget of its own. What stays in the app is
// read on every first view: the author badges, verified ticks and profile links on each comment, the write area
// hidden until the thread's rule is known, the "Sign in" button and the lines that load the chunk (8,192 → 8,704 B
// for a while). To bring the first view back under half of Isso's, the live updates moved to the live chunk
// (loaded once the first page is shown) and the compose form's, quote box's and bars' styles to the chunks' shared
// sheet (chunk-styles.ts): the app is back at 8,192 B, the chunks' budgets carry the styles.
const BUDGETS = { embed: 3 * 1024, count: 1536, app: 8192, subscribe: 3 * 1024, tools: 3328, composer: 4096, signin: 3968, live: 1664 };

const common = { bundle: true, minify: true, target: ["es2020", "chrome100", "firefox100", "safari15"], legalComments: "none" };

function hashed(name, contents, extension) {
  const digest = createHash("sha256").update(contents).digest("hex").slice(0, 12);
  return `${name}-${digest}.${extension}`;
}

async function bundle(entry, options = {}) {
  const result = await build({ ...common, entryPoints: [join(here, entry)], write: false, format: "iife", ...options });
  return result.outputFiles[0].contents;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "i18n"), { recursive: true });

const files = {};
const write = (name, contents) => {
  writeFileSync(join(out, name), contents);
  return name;
};

const inline = await bundle("src/loader/inline.ts");
files.inline = write(hashed("inline", inline, "js"), inline);
const subscribe = await bundle("src/app/subscribe.ts");
files.subscribe = write(hashed("subscribe", subscribe, "js"), subscribe);
const composer = await bundle("src/app/compose.ts");
files.composer = write(hashed("composer", composer, "js"), composer);
const signin = await bundle("src/app/signin.ts");
files.signin = write(hashed("signin", signin, "js"), signin);
const live = await bundle("src/app/live.ts");
files.live = write(hashed("live", live, "js"), live);
const tools = await bundle("src/app/tools.ts");
files.tools = write(hashed("tools", tools, "js"), tools);
const appJs = await bundle("src/app/main.ts");
files.app_js = write(hashed("app", appJs, "js"), appJs);
const appCss = await bundle("src/app/app.css", { format: undefined, loader: { ".css": "css" } });
files.app_css = write(hashed("app", appCss, "css"), appCss);
files.embed = write("embed.js", await bundle("src/loader/loader.ts", { define: { __INLINE_CHUNK__: JSON.stringify(files.inline) } }));
files.count = write("count.js", await bundle("src/count/count.ts"));

const languages = [];
for (const file of readdirSync(join(here, "src", "i18n"))) {
  if (!file.endsWith(".json")) continue;
  JSON.parse(readFileSync(join(here, "src", "i18n", file), "utf8")); // a broken translation fails the build
  copyFileSync(join(here, "src", "i18n", file), join(out, "i18n", file));
  languages.push(file.replace(/\.json$/, ""));
}

const gz = (name) => gzipSync(readFileSync(join(out, name)), { level: 9 }).length;
const sizes = { embed: gz(files.embed), count: gz(files.count), app: gz(files.app_js) + gz(files.app_css), inline: gz(files.inline), subscribe: gz(files.subscribe), tools: gz(files.tools), composer: gz(files.composer), signin: gz(files.signin), live: gz(files.live) };
writeFileSync(join(out, "meta.json"), JSON.stringify({ files, languages: languages.sort(), gzip_bytes: sizes }, null, 2));

let over = false;
for (const [part, budget] of Object.entries(BUDGETS)) {
  const verdict = sizes[part] <= budget ? "ok" : "OVER BUDGET";
  if (sizes[part] > budget) over = true;
  console.log(`${part.padEnd(9)} ${String(sizes[part]).padStart(6)} B gzip (budget ${budget}) ${verdict}`);
}
console.log(`first view ${String(sizes.embed + sizes.app).padStart(5)} B gzip (loader + app JS and CSS; the chunks come on first use)`);
console.log(`inline    ${String(sizes.inline).padStart(6)} B gzip (loaded only with data-parvis-article)`);
if (over) {
  console.error("widget build: a size budget is exceeded");
  process.exit(1);
}
