import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { it } from "node:test";

const ROOT = path.resolve(__dirname, "..");

/** Runs `script` in a fresh process, so that nothing this test runner loaded counts; returns what it printed as JSON. */
function inFreshProcess(script: string): unknown {
    const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout);
}

/** An expression: the files loaded so far from the named packages' folders under node_modules. */
function loadedFrom(packages: string[]): string {
    const folders = JSON.stringify(packages.map((name) => `${path.sep}node_modules${path.sep}${name}${path.sep}`));
    return `Object.keys(require.cache).filter((file) => ${folders}.some((folder) => file.includes(folder)))`;
}

it("status, preflight, recover and coverage load no Pulumi SDK: they talk to Cloudflare's API alone", () => {
    const script = `require("./tools/live/status.ts"); require("./tools/live/preflight.ts"); require("./tools/live/recover.ts"); require("./tools/live/coverage.ts"); process.stdout.write(JSON.stringify(${loadedFrom(["@pulumi"])}))`;
    assert.deepEqual(inFreshProcess(script), []);
});

it("--help loads neither Cloudflare's SDK nor the config's schema and YAML parser: a command loads them when it needs them", () => {
    // They are most of a live tool's start-up; --help and a bad flag need none of them.
    const script = `
        const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, signal: new AbortController().signal };
        const commands = [require("./tools/live/status.ts").status, require("./tools/live/preflight.ts").preflight, require("./tools/live/recover.ts").recover, require("./tools/live/coverage.ts").coverage];
        Promise.all(commands.map((command) => command(["--help"], io))).then((codes) =>
            process.stdout.write(JSON.stringify({ codes, loaded: ${loadedFrom(["cloudflare", "zod", "yaml"])} })));`;
    assert.deepEqual(inFreshProcess(script), { codes: [0, 0, 0, 0], loaded: [] });
});
