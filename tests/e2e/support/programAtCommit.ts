/**
 * The program as it was at an earlier commit, compiled into a scratch
 * directory against today's node_modules: what a user's existing stack was
 * deployed with before they pulled a refactor.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import { REPO_ROOT } from "./pulumiProject";

/** Returns the compiled entry point (absolute path); the scratch directory is removed after the tests. */
export function programAtCommit(commit: string): string {
    const scratch = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-at-commit-"));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const source = path.join(scratch, "source");
    mkdirSync(source);
    const archive = execFileSync("git", ["archive", "--format=tar", commit], { cwd: REPO_ROOT, maxBuffer: 256 * 1024 * 1024 });
    execFileSync("tar", ["-x", "-C", source], { input: archive });
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(source, "node_modules"));
    // --noCheck: that commit was type-checked against its own lockfile's SDK; the emitted JavaScript is what ran.
    execFileSync(process.execPath, [path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--noCheck"], { cwd: source });
    return path.join(source, "dist", "index.js");
}
