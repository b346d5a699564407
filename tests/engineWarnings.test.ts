/**
 * npm's engine warnings when the first install runs on a Node.js older than
 * the one the project installs and runs on: tools/bootstrap.mjs keeps each
 * warning the installed Node.js does not settle and sums up the rest in one
 * line; and the lockfile holds no package that the installed Node.js would
 * not satisfy, so on Node.js 20 that one line is all.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import semver from "semver";
import { EngineWarnings } from "../tools/engineWarnings.mjs";

const ROOT = path.resolve(__dirname, "..");

/** npm 11's warning for one package, as it prints it on stderr. */
function warning(pkg: string, required: string): string[] {
    return [
        "npm warn EBADENGINE Unsupported engine {",
        `npm warn EBADENGINE   package: '${pkg}',`,
        `npm warn EBADENGINE   required: { node: '${required}' },`,
        "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
        "npm warn EBADENGINE }",
    ];
}

/** Feeds npm's stderr through, line by line; returns what passed at once and the report at the end. */
function run(lines: string[], installedNode: string | undefined) {
    const held = new EngineWarnings();
    const passed = lines.filter((line) => !held.offer(line));
    return { passed, report: held.report(installedNode, semver.satisfies) };
}

describe("npm's engine warnings during the first install", () => {
    const npmSays = [
        ...warning("cloudflare-cequence@0.2.0", ">=22"),
        "npm warn deprecated some-package@1.0.0: use another",
        ...warning("jsdom@31.0.1", "^22.22.2 || ^24.15.0 || >=26.0.0"),
        "added 474 packages in 48s",
    ];

    it("passes every other line through at once", () => {
        assert.deepEqual(run(npmSays, "22.23.3").passed, ["npm warn deprecated some-package@1.0.0: use another", "added 474 packages in 48s"]);
    });

    it("sums up, in one line, the warnings the installed Node.js settles", () => {
        assert.deepEqual(run(npmSays, "22.23.3").report, [
            "npm ran on Node.js v20.20.2; 2 packages ask for a newer one (EBADENGINE: cloudflare-cequence@0.2.0, jsdom@31.0.1), and the Node.js 22.23.3 the project installed and runs its scripts on satisfies them all.",
        ]);
    });

    it("keeps, word for word, a warning the installed Node.js does not settle", () => {
        const lines = [...npmSays, ...warning("future@1.0.0", ">=24")];
        const { report } = run(lines, "22.23.3");
        assert.deepEqual(report.slice(0, 5), warning("future@1.0.0", ">=24"));
        assert.match(report[5]!, /2 packages ask for a newer one \(EBADENGINE: cloudflare-cequence@0\.2\.0, jsdom@31\.0\.1\)/);
    });

    it("keeps every warning when no Node.js was installed (the install failed)", () => {
        assert.deepEqual(run(npmSays, undefined).report, [...warning("cloudflare-cequence@0.2.0", ">=22"), ...warning("jsdom@31.0.1", "^22.22.2 || ^24.15.0 || >=26.0.0")]);
    });

    it("keeps a warning it cannot read word for word", () => {
        const changed = ["npm warn EBADENGINE Unsupported engine {", "npm warn EBADENGINE   wanted: 'node >=22' by x@1", "npm warn EBADENGINE }"];
        assert.deepEqual(run(changed, "22.23.3").report, changed);
    });
});

describe("the Node.js the project installs", () => {
    it("satisfies every engines range in the lockfile, the project's own included", () => {
        const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
            packages: Record<string, { version?: string; engines?: { node?: string } }>;
        };
        const installed = lock.packages["node_modules/node"]?.version;
        assert.ok(installed, "the lockfile pins the node package");
        const unmet = Object.entries(lock.packages)
            .filter(([, entry]) => entry.engines?.node !== undefined && !semver.satisfies(installed, entry.engines.node))
            .map(([name, entry]) => `${name || "(the project)"} asks for ${entry.engines!.node}`);
        assert.deepEqual(unmet, [], `node ${installed} does not satisfy`);
    });

    it("is what the README's quickstart and package.json's engines say, in the same words; the install's warnings are development's", () => {
        const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
        const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
        const quickstart = readme.slice(readme.indexOf("## Quickstart"), readme.indexOf("## How it works"));
        assert.ok(quickstart.includes(`\`engines\`: \`${manifest.engines.node}\``), `the quickstart does not name engines ${manifest.engines.node}`);
        assert.doesNotMatch(quickstart, /Node\.js 20|EBADENGINE|warn/, "the quickstart says nothing of an older Node.js's warnings");
        const development = readFileSync(path.join(ROOT, "docs", "development.md"), "utf8");
        const versions = development.slice(development.indexOf("## Node.js versions"), development.indexOf("\n## ", development.indexOf("## Node.js versions") + 1));
        assert.ok(versions.includes(`\`engines\`: \`${manifest.engines.node}\``), "docs/development.md names the engines range");
        assert.doesNotMatch(versions, /Node\.js 20 or later(?! to start)/, "it promises Node.js 20 without saying it only starts the install");
        assert.match(versions, /EBADENGINE/, "and explains the install's warnings");
    });
});
