/** The compiled program refuses to run from sources that changed since the build. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { assertBuildIsCurrent, staleOutputs } from "../buildFreshness";

function project(sourceAge: number, outputAge: number): string {
    const root = mkdtempSync(path.join(tmpdir(), "build-"));
    mkdirSync(path.join(root, "dist", "components"), { recursive: true });
    mkdirSync(path.join(root, "components"));
    const now = Date.now() / 1000;
    for (const [file, age] of [
        ["index.ts", sourceAge],
        ["components/pool.ts", sourceAge],
        ["dist/index.js", outputAge],
        ["dist/components/pool.js", outputAge],
    ] as const) {
        writeFileSync(path.join(root, file), "");
        utimesSync(path.join(root, file), now - age, now - age);
    }
    return root;
}

describe("build freshness", () => {
    it("passes a build newer than its sources", () => {
        const root = project(60, 10);
        assert.deepEqual(staleOutputs(path.join(root, "dist"), root), []);
        assert.doesNotThrow(() => assertBuildIsCurrent(path.join(root, "dist", "index.js")));
    });

    it("names the outputs whose sources changed since, and stops the program", () => {
        const root = project(10, 60);
        assert.deepEqual(staleOutputs(path.join(root, "dist"), root).sort(), [path.join("components", "pool.js"), "index.js"]);
        assert.throws(() => assertBuildIsCurrent(path.join(root, "dist", "index.js")), /dist\/ is older than its sources .*npm run build/);
    });

    it("does not apply when the program runs from its TypeScript sources", () => {
        assert.doesNotThrow(() => assertBuildIsCurrent(path.join(tmpdir(), "no-such-project", "index.ts")));
    });
});
