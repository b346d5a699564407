/**
 * The project as the real Pulumi engine runs it, in a scratch directory: a
 * copy of Pulumi.yaml whose `main` points at this checkout's compiled
 * program, beside links to package.json and node_modules. Stacks, their
 * config files and the file backend's state all live there, so a run never
 * writes a Pulumi.<stack>.yaml into the repository and two runs never share
 * state.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

function emptyScratchProject(): ScratchProject {
    const root = mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-e2e-"));
    const workDir = path.join(root, "project");
    const backendDir = path.join(root, "state");
    mkdirSync(workDir);
    mkdirSync(backendDir);
    return { workDir, backendDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export function scratchProject(main = currentProgram()): ScratchProject {
    const scratch = emptyScratchProject();
    const { workDir } = scratch;
    const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    project.main = main;
    writeFileSync(path.join(workDir, "Pulumi.yaml"), stringify(project));
    for (const entry of ["package.json", "node_modules"]) symlinkSync(path.join(REPO_ROOT, entry), path.join(workDir, entry));
    return scratch;
}

/**
 * A consumer of the components in another language, as a user has it:
 * examples/<language>'s program files copied into a scratch directory (with
 * no sdks/ or venv/ of a developer's), and its `packages` entry (`../..` in
 * the repository) pointing at this checkout. A Python example runs in the
 * engine's virtual environment (`npm run engine` installed its pinned
 * requirements).
 */
export function exampleProject(language: "python" | "yaml" | "go", pythonVenv: string): ScratchProject {
    const example = path.join(REPO_ROOT, "examples", language);
    const project = emptyScratchProject();
    for (const file of readdirSync(example)) {
        if (PROGRAM_FILE.test(file)) copyFileSync(path.join(example, file), path.join(project.workDir, file));
    }
    // Go's SDK is committed beside the program (its go.mod's `replace` points there); the others generate theirs.
    if (language === "go") cpSync(path.join(example, "sdks"), path.join(project.workDir, "sdks"), { recursive: true });
    const pulumiYaml = path.join(project.workDir, "Pulumi.yaml");
    const parsed = parse(readFileSync(pulumiYaml, "utf8")) as { packages?: Record<string, string>; runtime: { options?: { virtualenv?: string } } };
    if (parsed.packages) parsed.packages = Object.fromEntries(Object.keys(parsed.packages).map((name) => [name, REPO_ROOT]));
    // Pulumi takes a link for no virtual environment (it tries to make one there): the engine's, by its path.
    if (parsed.runtime.options?.virtualenv) parsed.runtime.options.virtualenv = pythonVenv;
    writeFileSync(pulumiYaml, stringify(parsed));
    return project;
}

/** An example's program files; README.md, generated SDKs and virtual environments are not. */
const PROGRAM_FILE = /^(Pulumi\.yaml|requirements\.txt|.*\.py|go\.mod|go\.sum|.*\.go)$/;

/** A Node.js project whose program is `source` (JavaScript), run with this checkout's node_modules. */
export function nodeProject(name: string, source: string): ScratchProject {
    const project = emptyScratchProject();
    writeFileSync(path.join(project.workDir, "Pulumi.yaml"), stringify({ name, runtime: { name: "nodejs", options: { typescript: false } }, main: "index.js" }));
    writeFileSync(path.join(project.workDir, "index.js"), source);
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(project.workDir, "node_modules"));
    return project;
}
