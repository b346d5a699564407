/**
 * The TypeScript consumer example type-checks against the package as
 * published: `import ... from "cloudflare-cequence"` resolves through
 * package.json `exports` to the built declarations.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

const tsc = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");

function run(args: string[]): string {
    return execFileSync(process.execPath, [tsc, ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
}

describe("examples/typescript", () => {
    it("type-checks against the built package declarations", () => {
        run(["-p", "tsconfig.build.json"]);
        const files = run(["-p", "examples/typescript/tsconfig.json", "--listFiles"]).split("\n");
        const declarations = path.join(PROJECT_ROOT, "dist", "components", "index.d.ts");
        assert.ok(files.includes(declarations), "the example resolved cloudflare-cequence to the package's own declarations");
    });
});
