import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { it } from "node:test";

const ROOT = path.resolve(__dirname, "..");

it("plan: a bad flag under --json is a JSON error on stdout, exit 1", () => {
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "plan", "plan.ts"), "--json", "--bogus"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(child.status, 1, child.stderr);
    const printed = JSON.parse(child.stdout) as { stack: unknown; error: string; issues: unknown[] };
    assert.deepEqual(Object.keys(printed), ["stack", "error", "issues"]);
    assert.match(printed.error, /^Unknown option '--bogus'/);
    assert.ok(child.stderr.includes("Unknown option '--bogus'"));
});
