#!/usr/bin/env node
// Writes the OpenAPI document the Worker serves at /openapi.json, built from the same
// source, so tools that read a file (Redocly's lint) check exactly what is served.
// Usage: node scripts/openapi.mjs [out.json]   (stdout without a path)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";

const bundle = await build({
  entryPoints: ["src/http/openapi.ts"],
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "import"],
  external: ["node:*"],
  logLevel: "error",
  // The document is built from the routes' schemas alone; the runtime's classes are only
  // extended by modules it passes through, never run, so empty ones stand in for them.
  plugins: [
    {
      name: "workers-runtime",
      setup(b) {
        b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "cf" }));
        b.onLoad({ filter: /.*/, namespace: "cf" }, () => ({
          contents:
            "export class DurableObject {} export class WorkerEntrypoint {} export class RpcTarget {} export const env = {};",
          loader: "js",
        }));
      },
    },
  ],
});
const url = `data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString("base64")}`;
const { openApiDocument } = await import(url);
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (process.argv[2]) {
  mkdirSync(dirname(process.argv[2]), { recursive: true });
  writeFileSync(process.argv[2], text);
} else process.stdout.write(text);
