/**
 * What `pulumi up` runs: Pulumi.yaml's `main`. Without it Pulumi would run
 * package.json's `main` (the component library), register nothing, and plan
 * to delete the whole stack. The built entry point must register exactly
 * what the TypeScript program does.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_ROOT, runProgram, type ProgramRun } from "../tools/plan/mockEngine";
import { OFFLINE_CALLS } from "../tools/plan/offlineCalls";
import { buildIntoScratch } from "./support/scratchBuild";
import { guideConfig, toRaw } from "./support/stack";

const project = parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    main?: string;
    runtime: { name: string; options?: { typescript?: boolean } };
};

const registered = (run: ProgramRun) => run.resources.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, protect: r.protect }));

describe("Pulumi.yaml entry point", () => {
    it("names the program as main, run as JavaScript", () => {
        assert.equal(project.main, "dist/index.js");
        assert.equal(project.runtime.options?.typescript, false);
    });

    it("is built from index.ts and registers exactly what index.ts does", async () => {
        // Built as for dist/, but elsewhere: `main` names the entry relative to the build's root.
        const out = buildIntoScratch();
        const config = toRaw(guideConfig());
        const built = await runProgram({ program: path.join(out, path.relative("dist", project.main!)), stack: "prod", config, calls: OFFLINE_CALLS });
        const source = await runProgram({ stack: "prod", config, calls: OFFLINE_CALLS });
        assert.equal(built.error, undefined);
        assert.ok(built.resources.length > 0);
        assert.deepEqual(registered(built), registered(source));
        assert.deepEqual(built.outputs, source.outputs);
    });
});
