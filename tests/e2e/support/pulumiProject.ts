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

/** The compiled program the project runs by default: this checkout's dist/. */
export function currentProgram(): string {
    const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    return path.join(REPO_ROOT, String(project.main));
}

/** Points the scratch project at another compiled program (`main`, an absolute path), as a user's checkout moving to a new commit. */
export function useProgram(project: ScratchProject, main: string): void {
    const file = path.join(project.workDir, "Pulumi.yaml");
    const parsed = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    writeFileSync(file, stringify({ ...parsed, main }));
}

export function scratchProject(main = currentProgram()): ScratchProject {
    const root = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-e2e-"));
    const workDir = path.join(root, "project");
    const backendDir = path.join(root, "state");
    mkdirSync(workDir);
    mkdirSync(backendDir);
    const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    project.main = main;
    writeFileSync(path.join(workDir, "Pulumi.yaml"), stringify(project));
    for (const entry of ["package.json", "node_modules"]) symlinkSync(path.join(REPO_ROOT, entry), path.join(workDir, entry));
    return { workDir, backendDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
