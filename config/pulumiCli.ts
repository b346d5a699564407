/**
 * The stack's config as the Pulumi CLI resolves it for a deployment, for the
 * tools' --from-pulumi: `pulumi config --show-secrets --json` decrypts
 * `secure:` values, opens the stack's ESC environments and applies the
 * project's declared defaults. It spawns the CLI (no shell) and loads no
 * Pulumi SDK, so the live tools may use it.
 */
import { spawnSync } from "node:child_process";
import { CONFIG_NAMESPACE, type RawStackConfig } from "./rawConfig";

/** Long enough for a CLI that asks Pulumi Cloud to open an environment; a hung CLI ends the tool. */
const CLI_TIMEOUT_MS = 60_000;

/** Stands in for a secret outside the project's keys (the API token): the tools never need its value. */
const WITHHELD = "[secret]";

/** One key as `pulumi config --json` prints it. */
interface CliConfigValue {
    value?: string;
    secret?: boolean;
}

/** Reads the config of `stack` through the CLI, in the project directory; throws an Error saying what went wrong. */
export function readConfigThroughCli(projectDir: string, stack: string, env: NodeJS.ProcessEnv = process.env): RawStackConfig {
    const args = ["config", "--show-secrets", "--json", "--stack", stack];
    const command = `\`pulumi ${args.join(" ")}\``;
    const result = spawnSync("pulumi", [...args, "--non-interactive"], {
        cwd: projectDir,
        env,
        encoding: "utf8",
        timeout: CLI_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "pipe"],
    });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
        throw new Error("--from-pulumi needs the Pulumi CLI (pulumi) on PATH: https://www.pulumi.com/docs/iac/download-install/", { cause: result.error });
    }
    if (result.error) throw new Error(`${command} did not finish: ${result.error.message}`, { cause: result.error });
    if (result.status !== 0) throw new Error(`${command} failed (exit status ${result.status}): ${result.stderr.trim()}`);
    let printed: Record<string, CliConfigValue>;
    try {
        printed = JSON.parse(result.stdout) as Record<string, CliConfigValue>;
    } catch (error) {
        throw new Error(`${command} printed no JSON: ${result.stdout.slice(0, 200)}`, { cause: error });
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, { value = "", secret = false }] of Object.entries(printed)) {
        if (secret) secretKeys.push(key);
        values[key] = secret && !key.startsWith(`${CONFIG_NAMESPACE}:`) ? WITHHELD : value;
    }
    return { values, secretKeys };
}
