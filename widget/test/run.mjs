// Unit tests: bundles every test/*.test.ts with esbuild (Node 20 cannot run TypeScript) into .test-build/
// and runs the bundles with `node --test`. Exits non-zero when a test fails.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", ".test-build");
const tests = readdirSync(here).filter((file) => file.endsWith(".test.ts")).sort();
if (!tests.length) {
  console.error("widget tests: no test/*.test.ts file");
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: tests.map((file) => join(here, file)),
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
});

const outputs = tests.map((file) => join(out, file.replace(/\.ts$/, ".mjs")));
const run = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...outputs], { stdio: "inherit" });
process.exit(run.status ?? 1);
