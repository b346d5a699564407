/**
 * Stacks of this project run by the real Pulumi engine (the CLI and plugins
 * that `npm run engine` made available, read from its manifest) through the
 * Automation API, against the Cloudflare stand-in. State is a file backend
 * in the scratch project, so nothing outside it is read or written.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import { CONFIG_NAMESPACE } from "../../../config/rawConfig";
import { engineEnv, missingLanguageParts, missingPlugins, readEngineManifest, type EngineManifest } from "../../../tools/engine/manifest.mjs";
import type { CloudflareStandIn } from "../../support/cloudflare/standIn";
import type { ConfigObject } from "../../support/stack";
import { scratchProject, type ScratchProject } from "./pulumiProject";

/** A well-formed token (40–80 of [0-9A-Za-z_-], as the provider requires); the stand-in accepts any such. */
export const E2E_TOKEN = "e2e-token-0123456789abcdefghijklmnopqrstuvwxyz";

/** Secrets in the scratch stacks are encrypted with this; nothing of value is in them. */
const PASSPHRASE = "cloudflare-cequence-e2e";

let manifest: EngineManifest | undefined;

/** The engine `npm run engine` prepared; throws with how to get it when there is none. */
export function engine(): EngineManifest {
    manifest ??= readEngineManifest();
    return manifest;
}

let sourcePrinted = false;

/**
 * Fails, naming each missing plugin and why, unless every resource plugin the
 * program needs is installed. Never a skip: an end-to-end scenario that did
 * not run has proved nothing (`npm run engine` installs them from
 * ../shared/engine when it lies beside the repository, else from the official
 * releases, and says why one is missing). Prints, once per test file, which
 * engine and plugin source the run uses.
 */
export function requireResourcePlugins(): void {
    const manifest = engine();
    if (!sourcePrinted) {
        sourcePrinted = true;
        process.stderr.write(
            `[e2e] engine: pulumi ${manifest.pulumi.version} (${manifest.source}); resource plugins ${manifest.plugins.map((p) => `${p.name} ${p.version}`).join(", ")} from ${manifest.pluginSource}\n`,
        );
    }
    const missing = missingPlugins(manifest);
    if (missing.length > 0) {
        throw new Error(`the engine lacks resource plugins; run \`npm run engine\`:\n${missing.map((p) => `  ${p.name} ${p.version}: ${p.missingReason}`).join("\n")}`);
    }
}

/**
 * The Python venv, failing (never skipping) with what the engine lacks for
 * the other-language examples: their hosts and the venv (`npm run engine`
 * says why each is missing).
 */
export function requireOtherLanguages(): string {
    const manifest = engine();
    const missing = missingLanguageParts(manifest);
    if (missing.length > 0 || manifest.python.venv === null) {
        throw new Error(`the engine lacks what the other-language examples need; run \`npm run engine\`:\n${missing.map((m) => `  ${m.part}: ${m.missingReason}`).join("\n")}`);
    }
    return manifest.python.venv;
}

export interface EngineRun {
    project: ScratchProject;
    stack: Stack;
    /** The environment every `pulumi` process of this stack runs with. */
    env: Record<string, string>;
    /** Everything the engine printed, for a failing assertion's message. */
    output: string[];
}

/**
 * Starts the CLI itself on the stack, for what the Automation API does not
 * offer (`state unprotect`) or must not do for us (being killed mid-update).
 */
export function pulumiProcess(run: EngineRun, args: string[], { forStack = true } = {}): ChildProcess {
    // A project-wide command (`package add`) takes no --stack.
    const target = forStack ? ["--stack", run.stack.name] : [];
    return spawn(engine().pulumi.path, [...args, ...target, "--non-interactive"], {
        cwd: run.project.workDir,
        env: run.env,
        stdio: ["ignore", "pipe", "pipe"],
        // Its own process group, so that killing it also ends the language host and plugins it started.
        detached: true,
    });
}

/**
 * SIGKILLs a process and everything it started, as when a CI runner is lost,
 * and returns their command lines. The language host and resource plugins run
 * in process groups of their own, so killing the CLI's group would leave them
 * running. Each process is stopped (SIGSTOP) as it is found, so that none
 * starts another while the tree is walked.
 */
export function killProcessTree(rootPid: number): string[] {
    const found: Array<{ pid: number; command: string }> = [];
    const visit = (pid: number) => {
        let command: string;
        try {
            command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
            process.kill(pid, "SIGSTOP");
        } catch {
            return; // already gone
        }
        found.push({ pid, command });
        const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).stdout;
        for (const child of children.split("\n").filter((line) => line.trim() !== "")) visit(Number(child));
    };
    visit(rootPid);
    for (const { pid } of found) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // exited between the walk and the kill
        }
    }
    return found.map((p) => p.command);
}

/** Runs the CLI to completion; rejects with its output when it fails. */
export function pulumiCli(run: EngineRun, args: string[], options?: { forStack?: boolean }): Promise<string> {
    const child = pulumiProcess(run, args, options);
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    return new Promise((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`pulumi ${args.join(" ")} exited ${code}:\n${output}`))));
    });
}

/**
 * `pulumi config set --path '<namespace>:<path>' <value>`, as the README tells
 * users to change one nested key: the project's typed config (Pulumi.yaml)
 * refuses an object or list set as a JSON string. `--path` stores "true",
 * "false" and numbers as such; `type: "string"` keeps an ID of digits a string.
 */
export async function configSetPath(run: EngineRun, keyPath: string, value: string, type?: "string"): Promise<void> {
    await pulumiCli(run, ["config", "set", "--path", `${CONFIG_NAMESPACE}:${keyPath}`, value, ...(type ? ["--type", type] : [])]);
}

/**
 * A new stack of the project in a scratch directory, with `config` (the
 * project's keys, unqualified, as in a stack file) and the Cloudflare
 * provider pointed at the stand-in.
 */
export async function engineStack(stackName: string, config: ConfigObject, standIn: CloudflareStandIn, main?: string): Promise<EngineRun> {
    return engineStackIn(scratchProject(main), stackName, qualifiedConfig(config), standIn);
}

/** The project's config keys (unqualified, as in a stack file) qualified by its namespace, for {@link engineStackIn}. */
export function qualifiedConfig(config: ConfigObject): ConfigObject {
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]));
}

/**
 * A new stack of any Pulumi project prepared in a scratch directory (this
 * project, or a consumer of its components in another language), with
 * `config` (keys as in a stack file, qualified as the project needs) and the
 * Cloudflare provider pointed at the stand-in.
 */
export async function engineStackIn(project: ScratchProject, stackName: string, config: ConfigObject, standIn: CloudflareStandIn): Promise<EngineRun> {
    const { binDir } = engine();
    writeFileSync(
        path.join(project.workDir, `Pulumi.${stackName}.yaml`),
        stringify({ config: { ...config, "cloudflare:baseUrl": standIn.baseUrl } }),
    );
    const env = stringValues({
        ...engineEnv(engine()),
        PULUMI_BACKEND_URL: `file://${project.backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    });
    const stack = await LocalWorkspace.createStack(
        { stackName, workDir: project.workDir },
        {
            workDir: project.workDir,
            pulumiHome: engine().env.PULUMI_HOME,
            envVars: env,
            // The manifest's CLI, never one of another version from PATH or ~/.pulumi.
            pulumiCommand: await PulumiCommand.get({ root: path.dirname(binDir) }),
        },
    );
    await stack.setConfig("cloudflare:apiToken", { value: E2E_TOKEN, secret: true });
    return { project, stack, env, output: [] };
}

function stringValues(env: NodeJS.ProcessEnv): Record<string, string> {
    return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The stack's resources in the engine's state, by type, leaving out the stack and its default providers. */
export async function stateResources(stack: Stack): Promise<Array<{ type: string; urn: string; id?: string }>> {
    const state = await stack.exportStack();
    const resources = (state.deployment as { resources?: Array<{ type: string; urn: string; id?: string }> }).resources ?? [];
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"));
}
