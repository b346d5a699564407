/**
 * The TypeScript consumer example type-checks, strictly, against the
 * package's own declarations (tests/packedPackage.test.ts checks the same
 * through a packed tarball and package.json `exports`).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";
import { buildIntoScratch, TSC } from "./support/scratchBuild";

describe("examples/typescript", () => {
    it("type-checks against the package declarations", () => {
        const out = buildIntoScratch(["--declaration", "--emitDeclarationOnly"]);
        const declarations = path.join(out, "components", "index.d.ts");
        const tsconfig = path.join(path.dirname(out), "tsconfig.example.json");
        writeFileSync(
            tsconfig,
            JSON.stringify({
                extends: path.join(PROJECT_ROOT, "examples", "typescript", "tsconfig.json"),
                compilerOptions: { paths: { "cloudflare-cequence": [declarations] }, typeRoots: [path.join(PROJECT_ROOT, "node_modules", "@types")] },
                files: [path.join(PROJECT_ROOT, "examples", "typescript", "index.ts")],
            }),
        );
        const files = execFileSync(process.execPath, [TSC, "-p", tsconfig, "--listFiles"], { cwd: PROJECT_ROOT, encoding: "utf8" }).split("\n");
        assert.ok(files.includes(declarations), "the example resolved cloudflare-cequence to the package's own declarations");
    });
});
