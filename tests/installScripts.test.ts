/**
 * npm 11.16+ reads package.json's `allowScripts` and warns about any dependency
 * whose install script it does not cover; a later npm blocks those scripts
 * (https://docs.npmjs.com/cli/v11/commands/npm-approve-scripts: "A future
 * release will block unreviewed install scripts"). The `node` package's
 * preinstall is what installs this project's Node 22, so every dependency the
 * lockfile marks `hasInstallScript` must have an entry (approve or deny) that
 * `npm install-scripts approve <pkg>` wrote.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

const PROJECT_ROOT = path.resolve(__dirname, "..");
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), "utf8"));

describe("install scripts", () => {
    const manifest = read("package.json") as { allowScripts?: Record<string, boolean> };
    const lock = read("package-lock.json") as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
        .filter(([, entry]) => entry.hasInstallScript)
        .map(([key]) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length))
        .sort();

    it("every dependency with an install script has an allowScripts entry", () => {
        const covered = new Set(Object.keys(manifest.allowScripts ?? {}).map((key) => key.replace(/(?<=.)@.*$/, "")));
        assert.deepEqual(withScripts.filter((name) => !covered.has(name)), []);
    });

    it("the node package, which installs Node 22, is approved", () => {
        assert.ok(withScripts.includes("node"), "the lockfile marks node's preinstall");
        assert.equal(manifest.allowScripts?.node, true);
    });
});
