/**
 * The project as the real Pulumi engine runs it, in a scratch directory: a
 * copy of Pulumi.yaml whose `main` points at this checkout's compiled
 * program, beside links to package.json and node_modules. Stacks, their
 * config files and the file backend's state all live there, so a run never
 * writes a Pulumi.<stack>.yaml into the repository and two runs never share
 * state.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";

export const REPO_ROOT = path.resolve(__dirname, "../../..");

export interface ScratchProject {
    /** The directory holding Pulumi.yaml: the Automation API's `workDir`. */
    workDir: string;
    /** The file backend's directory (`PULUMI_BACKEND_URL=file://…`). */
    backendDir: string;
    /** Removes the project, its stacks and its state. */
    remove(): void;
}

export function scratchProject(): ScratchProject {
    const root = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-e2e-"));
    const workDir = path.join(root, "project");
    const backendDir = path.join(root, "state");
    mkdirSync(workDir);
    mkdirSync(backendDir);
    const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    project.main = path.join(REPO_ROOT, String(project.main));
    writeFileSync(path.join(workDir, "Pulumi.yaml"), stringify(project));
    for (const entry of ["package.json", "node_modules"]) symlinkSync(path.join(REPO_ROOT, entry), path.join(workDir, entry));
    return { workDir, backendDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
