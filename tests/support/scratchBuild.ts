/**
 * The project compiled as `npm run build` compiles it, but into a scratch
 * directory: tests that need the build never write to dist/, so they cannot
 * race each other (or a developer's build) under --test-concurrency.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import { PROJECT_ROOT } from "../../tools/plan/mockEngine";

export const TSC = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");

/**
 * Runs tsc with tsconfig.build.json into `<scratch>/out` and returns that
 * directory. `<scratch>/node_modules` links to the project's, so the output
 * runs as dist/ would; the scratch directory is removed after the tests.
 */
export function buildIntoScratch(extraArgs: string[] = []): string {
    const scratch = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-build-"));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(scratch, "node_modules"));
    const out = path.join(scratch, "out");
    execFileSync(process.execPath, [TSC, "-p", "tsconfig.build.json", "--outDir", out, ...extraArgs], { cwd: PROJECT_ROOT });
    return out;
}
