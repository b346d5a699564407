/**
 * What `status` and `preflight` share as command-line tools: their common
 * flags, reading the stack's config, and turning expected failures into a
 * message and exit status 1 with no stack trace.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatIssues } from "../../config/messages";
import { parseStackConfig } from "../../config/parse";
import type { StackConfig } from "../../config/schema";
import { readConfigThroughCli } from "../../config/pulumiCli";
import { readStackFile, stackFilePath } from "../../config/stackFile";
import { FROM_PULUMI_FLAG, unreadableNotes } from "../../config/unreadable";
import { CliError, DEFAULT_CONNECTION, MAX_TIMER_MS, type ConnectionSettings, type SessionIo } from "./cloudflareSession";

// Not mockEngine's PROJECT_ROOT: importing it would load the Pulumi SDK, which these tools do not need.
const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** Where a command writes and what it reads from its environment; the process's own outside tests. */
export interface CliIo extends SessionIo {
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown; isTTY?: boolean };
    /** Aborted on Ctrl-C, to end `--watch` and preview polling cleanly. */
    signal: AbortSignal;
}

type FlagSpec = { type: "string" } | { type: "boolean"; short?: string };

const COMMON_FLAGS = {
    help: { type: "boolean", short: "h" },
    stack: { type: "string" },
    json: { type: "boolean" },
    dir: { type: "string" },
    "from-pulumi": { type: "boolean" },
    timeout: { type: "string" },
    retries: { type: "string" },
} as const satisfies Record<string, FlagSpec>;

export const COMMON_USAGE = [
    "  -h, --help          print this and exit",
    "  --stack <name>      the stack whose Pulumi.<name>.yaml to read (default: prod)",
    "  --json              print JSON instead of a table",
    "  --dir <path>        the directory holding Pulumi.<name>.yaml (default: this project)",
    `  ${FROM_PULUMI_FLAG}       read the config through the Pulumi CLI (pulumi config --show-secrets --json): secure: values, ESC environments`,
    `  --timeout <seconds> how long one attempt at a Cloudflare request may take, body included (default: ${DEFAULT_CONNECTION.timeoutSeconds})`,
    `  --retries <n>       further attempts after a timeout, network error, 429 or 5xx (default: ${DEFAULT_CONNECTION.retries})`,
];

export interface CommonOptions {
    stack: string;
    json: boolean;
    dir: string;
    /** Read the config through the Pulumi CLI instead of the stack file. */
    fromPulumi: boolean;
    connection: ConnectionSettings;
}

/** The values of parsed flags: strings, booleans for switches, undefined when absent. */
export type FlagValues<F extends Record<string, FlagSpec>> = { [K in keyof F]?: F[K] extends { type: "boolean" } ? boolean : string };

/** Parses the command line; a bad flag or value is a {@link CliError} naming it. */
export function parseCommandLine<F extends Record<string, FlagSpec>>(
    argv: string[],
    flags: F,
    usage: string,
): { common: CommonOptions; values: FlagValues<F> } {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: { ...COMMON_FLAGS, ...flags }, strict: true }).values;
    } catch (error) {
        throw new CliError(`${(error as Error).message}\n${usage}`);
    }
    // parseArgs cannot type the merge of a generic flag set; its values follow the specs by construction.
    const values = parsed as FlagValues<typeof COMMON_FLAGS> & FlagValues<F>;
    if (values.help) throw new HelpRequested(usage);
    const common: CommonOptions = {
        stack: values.stack ?? "prod",
        json: values.json ?? false,
        dir: values.dir ?? PROJECT_ROOT,
        fromPulumi: values["from-pulumi"] ?? false,
        connection: {
            timeoutSeconds: values.timeout === undefined ? DEFAULT_CONNECTION.timeoutSeconds : positiveNumber(values.timeout, "--timeout"),
            retries: values.retries === undefined ? DEFAULT_CONNECTION.retries : wholeNumber(values.retries, "--retries"),
        },
    };
    return { common, values };
}

/** Seconds a timer can wait: Node fires a longer timer at once, so a huge `--timeout` would time out every request. */
const MAX_SECONDS = Math.floor(MAX_TIMER_MS / 1000);

/** A number of seconds for a flag: positive, and no longer than Node's longest timer. */
export function positiveNumber(text: string, flag: string): number {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new CliError(`${flag} must be a positive number of seconds, got ${JSON.stringify(text)}`);
    if (value > MAX_SECONDS) throw new CliError(`${flag} must be at most ${MAX_SECONDS} seconds (Node's longest timer, about 24 days), got ${JSON.stringify(text)}`);
    return value;
}

function wholeNumber(text: string, flag: string): number {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) throw new CliError(`${flag} must be a whole number (0 or more), got ${JSON.stringify(text)}`);
    return value;
}

export interface LoadedConfig {
    config: StackConfig;
    configFile: string;
}

/**
 * The stack's config, validated by the same schema as the program, from the
 * stack file or, with `--from-pulumi`, the Pulumi CLI (run with `io.env`).
 * Notes on what the stack file alone cannot tell go to stderr.
 */
export function loadConfig(options: CommonOptions, io: Pick<CliIo, "env" | "stderr">): LoadedConfig {
    const configFile = stackFilePath(options.dir, options.stack);
    let raw;
    try {
        raw = options.fromPulumi ? readConfigThroughCli(options.dir, options.stack, io.env) : readStackFile(configFile);
    } catch (error) {
        // Only a missing file means another stack was meant; a file that does not parse says why itself.
        const missing = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
        throw new CliError(missing ? `${(error as Error).message}. Name an existing stack with --stack <name>.` : (error as Error).message);
    }
    const parsed = parseStackConfig(raw);
    if (!parsed.ok) {
        const count = parsed.issues.length;
        throw new CliError(`Invalid config in ${configFile} (${count} problem${count === 1 ? "" : "s"}):\n${formatIssues(parsed.issues)}`);
    }
    for (const note of unreadableNotes(raw, configFile)) io.stderr.write(`note: ${note}\n`);
    return { config: parsed.config, configFile };
}

/** `--help` or `-h`: not a failure, but it ends the command as one does, before anything is read. */
export class HelpRequested extends CliError {}

/**
 * Prints an expected failure: the message on stderr, and with `--json` a
 * `{stack, error}` document on stdout too, so a script reading stdout sees it.
 * Exit status 1: the state could not be read. A request for help prints the
 * usage on stdout, exit status 0.
 */
export function reportFailure(io: CliIo, error: CliError, json: boolean, stack: string | undefined): 0 | 1 {
    if (error instanceof HelpRequested) {
        io.stdout.write(`${error.message}\n`);
        return 0;
    }
    io.stderr.write(`${error.message}\n`);
    if (json) io.stdout.write(`${JSON.stringify({ stack: stack ?? null, error: error.message })}\n`);
    return 1;
}

export type Command = (argv: string[], io: CliIo) => Promise<number>;

/**
 * Runs a command as the process: Ctrl-C aborts its signal (a second Ctrl-C
 * exits at once). Only a bug reaches the catch here, so its stack is shown.
 */
export function runAsProcess(command: Command): void {
    const interrupt = new AbortController();
    process.once("SIGINT", () => {
        interrupt.abort();
        process.once("SIGINT", () => process.exit(130));
    });
    const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupt.signal };
    command(process.argv.slice(2), io).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
