/**
 * What `status`, `preflight` and `recover` share as command-line tools: their
 * common flags, reading the stack's config, connecting to Cloudflare, and
 * turning expected failures into a message and exit status 1 with no stack
 * trace. What only a command that gets past its flags needs (the config's
 * schema, Cloudflare's SDK) is loaded when it does, so `--help` answers at once.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { FROM_PULUMI_FLAG } from "../../config/flags";
import { CliError } from "./cliError";
import type { CloudflareSession, Scopes, SessionIo } from "./cloudflareSession";
import { DEFAULT_CONNECTION, MAX_TIMER_MS, type ConnectionSettings } from "./connectionSettings";
import type { LoadedConfig } from "./stackConfig";

// Not mockEngine's PROJECT_ROOT: importing it would load the Pulumi SDK, which these tools do not need.
const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** Looks a hostname up in DNS: resolves when it has an address, rejects with the resolver's error (its `code`, e.g. ENOTFOUND) when not. */
export type ResolveHostname = (hostname: string) => Promise<unknown>;

/** Where a command writes and what it reads from its environment; the process's own outside tests. */
export interface CliIo extends SessionIo {
    stdout: { write(text: string): unknown };
    stderr: { write(text: string): unknown; isTTY?: boolean };
    /** Aborted on Ctrl-C, to end `--watch` and preview polling cleanly. */
    signal: AbortSignal;
    /** How `preflight` checks that each origin resolves; Node's `dns.promises.lookup` (this machine's resolver) when absent. */
    resolveHostname?: ResolveHostname;
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

/**
 * The stack's config (stackConfig.ts). The config's schema and the YAML
 * parser are loaded here, once a command needs them: never for `--help` or
 * a bad flag, which must answer at once.
 */
export async function loadConfig(options: CommonOptions, io: Pick<CliIo, "env" | "stderr">): Promise<LoadedConfig> {
    const { readStackConfig } = await import("./stackConfig");
    return readStackConfig(options, io);
}

/**
 * The session a command talks to Cloudflare through. Cloudflare's SDK is most
 * of a live tool's start-up, so it is loaded here, once a command needs it:
 * never for `--help`, a bad flag or a stack file that does not parse.
 */
export async function connect(io: CliIo, connection: ConnectionSettings, scopes: Scopes, permissions: readonly string[]): Promise<CloudflareSession> {
    const { CloudflareSession } = await import("./cloudflareSession");
    return new CloudflareSession(io, connection, scopes, permissions);
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
