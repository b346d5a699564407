/**
 * Pulumi runs the precompiled program (`main: dist/index.js`), so a change to
 * a .ts file reaches Cloudflare only after `npm run build`. The program checks
 * its own build as it loads, like its config, so a stale build never deploys
 * old code while `npm run plan` (which runs the sources) shows the new.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** Compiled files under `distDir` whose TypeScript source in `sourceRoot` is newer. */
export function staleOutputs(distDir: string, sourceRoot: string): string[] {
    return readdirSync(distDir, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".js"))
        .filter((file) => {
            const source = path.join(sourceRoot, file.replace(/\.js$/, ".ts"));
            return existsSync(source) && statSync(source).mtimeMs > statSync(path.join(distDir, file)).mtimeMs;
        });
}

/** Stops the program when it runs compiled (`entry` is `dist/index.js`) from sources that changed since. */
export function assertBuildIsCurrent(entry: string): void {
    if (!entry.endsWith(".js")) return;
    const distDir = path.dirname(entry);
    const stale = staleOutputs(distDir, path.dirname(distDir));
    if (stale.length > 0) {
        throw new pulumi.RunError(
            `dist/ is older than its sources (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", …" : ""}): run \`npm run build\`, then run Pulumi again.`,
        );
    }
}
