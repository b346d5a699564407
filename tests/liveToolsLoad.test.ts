import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { it } from "node:test";

const ROOT = path.resolve(__dirname, "..");

it("status, preflight and recover load no Pulumi SDK: they talk to Cloudflare's API alone", () => {
    // A fresh process, so that nothing this test runner loaded counts.
    const script = 'require("./tools/live/status.ts"); require("./tools/live/preflight.ts"); require("./tools/live/recover.ts"); process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("@pulumi"))))';
    const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), []);
});
