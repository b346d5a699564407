/**
 * The TypeScript consumer example type-checks, strictly, against the
 * package's own declarations (tests/packedPackage.test.ts checks the same
 * through a packed tarball and package.json `exports`); and no document
 * tells users to install the package by a registry name we do not own.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { poolName } from "../components/naming";
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

describe("install instructions", () => {
    // The bare name `cloudflare-cequence` is not published by us: an `npm install` of it would fetch
    // whatever someone else publishes under it (dependency confusion). Only a tarball or git install.
    it("never tell users to install the unscoped package name from the npm registry", () => {
        const tracked = execFileSync("git", ["ls-files", "README.md", "docs", "examples", "CHANGELOG.md"], { cwd: PROJECT_ROOT, encoding: "utf8" }).trim().split("\n");
        const offenders = tracked.filter((file) => /npm (install|i|add)\s+cloudflare-cequence(?![\w./-]*\.tgz)(\s|`|$)/m.test(readFileSync(path.join(PROJECT_ROOT, file), "utf8")));
        assert.deepEqual(offenders, []);
    });
});

describe("docs/workflow.md's examples in other languages", () => {
    it("name pools as the stack does, the stack's name at the end, so two stacks in one account never share a pool", () => {
        const workflow = readFileSync(path.join(PROJECT_ROOT, "docs", "workflow.md"), "utf8");
        // The stack's name in each language's example, as its program gets it.
        const stackExpressions = ["{pulumi.get_stack()}", "${pulumi.stack}"];
        const names = [...workflow.matchAll(/(?:pool_name=f?"|poolName: )([^"\s]+)/g)].map((m) => m[1]!);
        assert.ok(names.length >= 2, "the Python and YAML examples name their pool");
        for (const name of names) {
            const expression = stackExpressions.find((e) => name.endsWith(e));
            assert.ok(expression, `${name} does not end in the stack's name`);
            assert.equal(name.replace(expression, "prod"), poolName("cequence", "prod", "api.example.com"));
        }
    });
});
