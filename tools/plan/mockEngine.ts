/**
 * Runs the real Pulumi program in this process under Pulumi's mocks, and
 * records what it registers: every resource request as the Pulumi engine
 * would receive it (type, name, parent, inputs, protect, retainOnDelete,
 * import ID, ignoreChanges, dependencies, aliases) and the stack outputs. `plan`, the tests and the benchmark all
 * use this, so what they show is what the program does.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RawStackConfig } from "../../config/rawConfig";

/** One resource registration, as the engine would receive it. */
export interface RegisteredResource {
    type: string;
    name: string;
    /** The parent's URN; empty for the stack's direct children. */
    parent: string;
    urn: string;
    custom: boolean;
    /** Inputs as the engine would show them: secret values replaced by {@link SECRET_MASK}. */
    inputs: Record<string, unknown>;
    /** Inputs with secret values in the clear: for tests that check where a secret goes, never for display. */
    unmaskedInputs: Record<string, unknown>;
    /** What the mock provider computed besides the inputs (e.g. a random password's `result`), in the clear. */
    computed: Record<string, unknown>;
    /** The ID returned to the program: a deterministic fake, or the import ID's last part. */
    id: string;
    protect: boolean;
    retainOnDelete: boolean;
    /** The `import` option's ID, or "" when the resource is created. */
    importId: string;
    /** Input paths the engine keeps at their current (live) value instead of the program's. */
    ignoreChanges: string[];
    /**
     * URNs of the resources this one depends on, as the engine receives them
     * (inputs taken from their outputs, and `dependsOn`): the engine creates
     * and updates those first, and deletes them only after this one.
     */
    dependencies: string[];
    /** Where the resource may have been registered before (its `aliases` option). */
    aliases: RecordedAlias[];
}

/** One alias as the SDK sends it: a whole old URN, or the parts of the old identity that differ. */
export interface RecordedAlias {
    urn: string;
    name: string;
    type: string;
    /** The old parent's URN; "" when unchanged or when `noParent`. */
    parentUrn: string;
    /** The resource used to be top-level, a child of the stack. */
    noParent: boolean;
}

/** One provider function call (invoke) the program made. */
export interface RecordedCall {
    token: string;
    inputs: Record<string, unknown>;
}

export interface ProgramRun {
    resources: RegisteredResource[];
    calls: RecordedCall[];
    /** Stack outputs, fully resolved; secret outputs are replaced by {@link SECRET_MASK}. */
    outputs: Record<string, unknown>;
    /** Names of the outputs that are secrets. */
    secretOutputs: string[];
    /** Messages the program logged with `pulumi.log.warn`. */
    warnings: string[];
    /** Set when the program threw (e.g. invalid config): nothing in `resources` was planned. */
    error?: Error;
}

export const SECRET_MASK = "[secret]";

/** A run that has not settled by then has hung; 1,000 apps settle in about a minute on 2 cores. */
const RUN_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Answers for the provider functions the program may call; any other call
 * fails loudly so that a new invoke cannot slip through untested.
 */
export type CallHandlers = Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;

export interface RunOptions {
    /** Path of the program's entry module. Default: the project's `index.ts`. */
    program?: string;
    stack: string;
    project?: string;
    config: RawStackConfig;
    calls?: CallHandlers;
}

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** A Cloudflare-shaped ID (32 hex characters), stable for a given resource name. */
function fakeId(seed: string): string {
    return createHash("sha256").update(seed).digest("hex").slice(0, 32);
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getImportid(): string;
    getIgnorechangesList(): string[];
    getDependenciesList(): string[];
    getAliasesList(): Array<{
        getUrn(): string;
        getSpec(): { getName(): string; getType(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
    }>;
}

// Internal SDK modules: the mock monitor is reachable only through them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): {
        registerResource(req: RegisterRequest, callback: (error: unknown, response?: { getUrn(): string }) => void): unknown;
    };
    waitForRPCs(): Promise<void>;
};

// The Pulumi runtime's mocks and config are process-global: runs take turns.
let previousRun: Promise<unknown> = Promise.resolve();

export function runProgram(options: RunOptions): Promise<ProgramRun> {
    const run = previousRun.then(() => runExclusively(options));
    previousRun = run.catch(() => undefined);
    return run;
}

async function runExclusively(options: RunOptions): Promise<ProgramRun> {
    const program = options.program ?? path.join(PROJECT_ROOT, "index.ts");
    const project = options.project ?? "cloudflare-cequence";
    const pending = new Map<string, RegisteredResource>();
    const resources: RegisteredResource[] = [];
    const calls: RecordedCall[] = [];
    const warnings: string[] = [];
    const handlers = options.calls ?? {};
    // A failed invoke rejects an output rather than throwing: race the run against it.
    const failures: Error[] = [];
    let rejectRun: (error: Error) => void = () => undefined;
    const failure = new Promise<never>((_, reject) => (rejectRun = reject));
    failure.catch(() => undefined);
    const fail = (error: Error) => {
        failures.push(error);
        rejectRun(error);
    };
    // The SDK leaves the promises of a rejected invoke or apply unhandled (a real run's handler reports each
    // error once); they belong to this run's failure, so the run takes them from the host (a test runner)
    // while it runs.
    const onStrayRejection = (reason: unknown) => fail(reason instanceof Error ? reason : new Error(String(reason)));
    const hostListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", onStrayRejection);

    pulumi.runtime.setAllConfig(options.config.values, [...options.config.secretKeys]);
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const key = `${args.type}::${args.name}`;
                const request = pending.get(key);
                const id = args.id ? (args.id.split("/").pop() ?? args.id) : fakeId(key);
                const inputs = args.inputs as Record<string, unknown>;
                const unmasked = revealSecrets(inputs) as Record<string, unknown>;
                const computed = computedOutputs(args.type, key, unmasked);
                if (request) {
                    request.inputs = maskSecrets(inputs) as Record<string, unknown>;
                    request.unmaskedInputs = unmasked;
                    request.computed = computed;
                    request.id = id;
                    resources.push(request);
                }
                return { id: request?.custom === false ? undefined : id, state: { ...unmasked, ...computed } };
            },
            call(args) {
                calls.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
                const handler = handlers[args.token];
                if (!handler) {
                    const error = new Error(`the mocks do not know the provider function ${args.token}`);
                    fail(error);
                    throw error;
                }
                return handler(args.inputs as Record<string, unknown>);
            },
        },
        project,
        options.stack,
        false,
    );

    const monitor = settings.getMonitor();
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const record: RegisteredResource = {
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            urn: "",
            custom: req.getCustom(),
            inputs: {},
            unmaskedInputs: {},
            computed: {},
            id: "",
            protect: req.getProtect() === true,
            retainOnDelete: req.getRetainondelete() === true,
            importId: req.getImportid(),
            ignoreChanges: req.getIgnorechangesList(),
            dependencies: req.getDependenciesList(),
            aliases: req.getAliasesList().map((alias) => {
                const spec = alias.getSpec();
                return {
                    urn: alias.getUrn(),
                    name: spec?.getName() ?? "",
                    type: spec?.getType() ?? "",
                    parentUrn: spec?.getParenturn() ?? "",
                    noParent: spec?.getNoparent() ?? false,
                };
            }),
        };
        pending.set(`${record.type}::${record.name}`, record);
        return registerResource(req, (error: unknown, response?: { getUrn(): string }) => {
            if (response) record.urn = response.getUrn();
            callback(error, response);
        });
    };

    const originalWarn = pulumi.log.warn;
    pulumi.log.warn = async (message: string) => {
        warnings.push(message);
    };
    try {
        const exports = loadFresh(program);
        const timeout = setTimeout(
            () => fail(new Error(`the program did not settle within ${RUN_TIMEOUT_MS / 1000} s (an output that never resolves?)`)),
            RUN_TIMEOUT_MS,
        );
        timeout.unref();
        const { outputs, secretOutputs } = await Promise.race([settleOutputs(exports), failure]).finally(() => clearTimeout(timeout));
        await settings.waitForRPCs();
        // A registration can fail after the outputs settle (an apply that throws in a resource's inputs).
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) throw failures[0];
        return { resources, calls, outputs, secretOutputs, warnings };
    } catch (error) {
        await settings.waitForRPCs().catch(() => undefined);
        // Let the SDK's stray rejections surface while this run's handler still owns them.
        await new Promise((resolve) => setImmediate(resolve));
        return { resources, calls, outputs: {}, secretOutputs: [], warnings, error: error as Error };
    } finally {
        pulumi.log.warn = originalWarn;
        process.off("unhandledRejection", onStrayRejection);
        for (const listener of hostListeners) process.on("unhandledRejection", listener);
    }
}

/** Outputs a provider computes that the program reads back; deterministic so runs compare. */
function computedOutputs(type: string, key: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === "random:index/randomPassword:RandomPassword") {
        // A stand-in for the generated password: alphanumeric, as long as asked, stable per name and keepers.
        const seed = `${key}:${JSON.stringify(inputs.keepers ?? {})}`;
        let result = "";
        for (let round = 0; result.length < Number(inputs.length); round++) result += createHash("sha256").update(`${seed}:${round}`).digest("base64url");
        return { result: result.replace(/[-_]/g, "x").slice(0, Number(inputs.length)) };
    }
    return {};
}

function isSecretValue(value: unknown): value is { value: unknown } {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

function mapValues(value: unknown, onSecret: (secret: { value: unknown }) => unknown): unknown {
    if (isSecretValue(value)) return onSecret(value);
    if (Array.isArray(value)) return value.map((item) => mapValues(item, onSecret));
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapValues(v, onSecret)]));
}

const maskSecrets = (value: unknown) => mapValues(value, () => SECRET_MASK);
const revealSecrets = (value: unknown): unknown => mapValues(value, (secret) => revealSecrets(secret.value));

/** Loads the program anew, so one process can run it for many configs. */
function loadFresh(program: string): Record<string, unknown> {
    const resolved = require.resolve(program);
    delete require.cache[resolved];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(resolved) as Record<string, unknown>;
}

async function settleOutputs(exports: Record<string, unknown>) {
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [name, value] of Object.entries(exports)) {
        // Pulumi leaves an export that is undefined out of the stack's outputs.
        if (value === undefined) continue;
        const output = pulumi.output(value);
        if (await pulumi.isSecret(output)) {
            secretOutputs.push(name);
            outputs[name] = SECRET_MASK;
            await settle(output);
        } else {
            outputs[name] = await settle(output);
        }
    }
    return { outputs, secretOutputs };
}

function settle<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value as T)));
}
