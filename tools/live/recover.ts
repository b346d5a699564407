/**
 * `npm run recover -- --stack <name> [--yes]`: after an update was killed
 * (SIGKILL, a lost CI runner), adopts what it created in Cloudflare but never
 * recorded, so that the next `pulumi up` creates nothing twice. Reads the
 * state (`pulumi stack export`), the update history (`pulumi stack history`)
 * and Cloudflare; for each pending create, imports the one object its inputs
 * describe that Cloudflare made after the update began (`pulumi import
 * --file`), then drops every pending create (`pulumi refresh
 * --clear-pending-creates`). A checkpoint torn by the kill is restored from
 * the file backend's copy first (tornCheckpoint.ts, docs/recover.md).
 * Without --yes it only says what it would do. Exit status: 0 recovered (or
 * would be, or nothing to do), 2 refused (a create matches several objects
 * or cannot be looked for; nothing changed), 1 a failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CliError } from "./cliError";
import { COMMON_USAGE, connect, loadConfig, parseCommandLine, reportFailure, runAsProcess, type CliIo, type Command, type CommonOptions } from "./commandLine";
import { READ_PERMISSIONS } from "./permissions";
import { runPulumi, type PulumiRun } from "./pulumiCommand";
import { listLoadBalancers, listMonitors, listPools, listRecords, ROUTING_RECORD_TYPES } from "./readDeployment";
import { decide, importFile, readStackState, updateBegan, type Decision } from "./recoveryPlan";

const USAGE = [
    "usage: npm run recover -- [--stack <name>] [--yes] [--json]",
    ...COMMON_USAGE,
    "  --yes               run the pulumi commands (without it, only print them)",
].join("\n");

/** Reading the state is quick; a longer wait is a hung CLI or backend. */
const EXPORT_TIMEOUT_MS = 60_000;
/** An import and a refresh of a large stack within Cloudflare's rate limit (docs/benchmark.md) take minutes, never this long. */
const CHANGE_TIMEOUT_MS = 30 * 60_000;

export const recover: Command = async (argv, io) => {
    let json = argv.includes("--json");
    let stack: string | undefined;
    try {
        const { common, values } = parseCommandLine(argv, { yes: { type: "boolean" } }, USAGE);
        ({ json, stack } = common);
        const { config, configFile } = await loadConfig(common, io);
        const pulumi = (args: string[], timeoutMs: number, onOutput?: PulumiRun["onOutput"]) =>
            runPulumi([...args, "--stack", common.stack], { cwd: common.dir, env: io.env, timeoutMs, signal: io.signal, onOutput });

        let exported: string;
        try {
            exported = await pulumi(["stack", "export"], EXPORT_TIMEOUT_MS);
        } catch (error) {
            return await restoreTornCheckpoint(error, common, io, json, values.yes ?? false);
        }
        const state = readStackState(parseJson("stack export", exported));
        if (state.pendingCreates.length === 0) {
            io.stdout.write(json ? `${JSON.stringify({ stack: common.stack, decisions: [], commands: [] })}\n` : `Stack ${common.stack} has no pending creates: nothing to recover.\n`);
            return 0;
        }
        const began = updateBegan(state, parseJson("stack history --json", await pulumi(["stack", "history", "--json"], EXPORT_TIMEOUT_MS)));
        const session = await connect(io, common.connection, { accountId: config.accountId, zoneId: config.zoneId, configFile }, READ_PERMISSIONS);
        const objects = await session.read(async (read) => {
            const [monitors, pools, loadBalancers, records] = await Promise.all([
                listMonitors(read, config),
                listPools(read, config),
                listLoadBalancers(read, config),
                listRecords(read, config),
            ]);
            return { monitors, pools, loadBalancers, records, recordTypes: ROUTING_RECORD_TYPES };
        });
        const decisions = decide(state, objects, config, began);
        const refused = decisions.some((d) => d.action === "refuse");

        // The file must outlive this run when only printed: the user runs the command.
        const file = importFile(decisions);
        const fileDir = refused || file.resources.length === 0 ? undefined : mkdtempSync(path.join(tmpdir(), "cloudflare-cequence-recover-"));
        const importPath = fileDir && path.join(fileDir, "import.json");
        if (importPath) writeFileSync(importPath, `${JSON.stringify(file, null, 2)}\n`);
        const commands: string[][] = refused
            ? []
            : [
                  // Imported before the pending creates are dropped: should the import fail, they are still there to recover again.
                  // Unprotected: the record's pending create never was protected; `pulumi up` applies the program's protect.
                  ...(importPath ? [["import", "--file", importPath, "--yes", "--protect=false", "--generate-code=false"]] : []),
                  ["refresh", "--clear-pending-creates", "--yes"],
              ];
        const printed = commands.map((args) => ["pulumi", ...args, "--stack", common.stack].map(shellWord).join(" "));
        io.stdout.write(json ? `${JSON.stringify(toJson(common.stack, decisions, printed), null, 2)}\n` : renderPlan(common.stack, common.dir, decisions, printed, values.yes ?? false));
        if (refused) return 2;
        if (!values.yes) return 0;

        for (const args of commands) {
            await pulumi(args, CHANGE_TIMEOUT_MS, (text) => io.stderr.write(text));
        }
        if (fileDir) rmSync(fileDir, { recursive: true, force: true });
        if (!json) io.stdout.write(`\nRecovered. Now run \`pulumi up --stack ${shellWord(common.stack)}\`: it creates only what the killed update never did.\n`);
        return 0;
    } catch (error) {
        if (error instanceof CliError) return reportFailure(io, error, json, stack);
        throw error;
    }
};

/**
 * `pulumi stack export` failed. When the checkpoint cannot be read (killed
 * while the file backend wrote it), says what restores it and, with --yes,
 * restores it (docs/recover.md); any other failure is rethrown.
 */
async function restoreTornCheckpoint(error: unknown, common: CommonOptions, io: CliIo, json: boolean, yes: boolean): Promise<0> {
    // Loaded only here, as it reads Pulumi.yaml: --help loads no YAML parser.
    const { isUnreadableCheckpoint, planRestore, restore } = await import("./tornCheckpoint");
    if (!isUnreadableCheckpoint(error)) throw error;
    const whoami = parseJson("whoami --json", await runPulumi(["whoami", "--json"], { cwd: common.dir, env: io.env, timeoutMs: EXPORT_TIMEOUT_MS, signal: io.signal }));
    const plan = planRestore(String((whoami as { url?: unknown } | null)?.url ?? ""), common.dir, common.stack);
    if (yes) restore(plan);
    const next = [`pulumi cancel --stack ${shellWord(common.stack)} --yes`, `npm run recover -- --stack ${shellWord(common.stack)}`];
    if (json) {
        io.stdout.write(`${JSON.stringify({ stack: common.stack, checkpoint: { ...plan, restored: yes }, next }, null, 2)}\n`);
        return 0;
    }
    io.stdout.write(
        [
            `Stack ${common.stack}'s checkpoint cannot be read: the update was killed while the file backend wrote it.`,
            `The backend's copy of the checkpoint before that write, ${plan.backup}, holds ${plan.pendingCreates} pending create${plan.pendingCreates === 1 ? "" : "s"}.`,
            yes
                ? `Restored it to ${plan.file}; the unreadable file is kept as ${plan.keptAs}.`
                : `To restore it, run recover again with --yes (it keeps the unreadable file as ${plan.keptAs}), or: mv ${shellWord(plan.file)} ${shellWord(plan.keptAs)} && cp ${shellWord(plan.backup)} ${shellWord(plan.file)}`,
            "Then recover as usual (`pulumi cancel` only if the killed update's lock is still held; it works on an unreadable checkpoint too):",
            ...next.map((command) => `  ${command}`),
            "",
        ].join("\n"),
    );
    return 0;
}

function parseJson(command: string, text: string): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new CliError(`\`pulumi ${command}\` printed no JSON: ${text.slice(0, 200)}`, { cause: error });
    }
}

const VERBS: Record<Decision["action"], string> = { import: "import", clear: "clear ", refuse: "REFUSE" };

function renderPlan(stack: string, dir: string, decisions: readonly Decision[], commands: readonly string[], yes: boolean): string {
    const lines = [`Stack ${stack}: ${decisions.length} pending create${decisions.length === 1 ? "" : "s"} from an interrupted update`, ""];
    for (const d of decisions) {
        lines.push(`  ${VERBS[d.action]}  ${d.create.urn}`);
        if (d.action === "import") lines.push(`          Cloudflare made it: ${d.found} (import ID ${d.importId})`);
        else lines.push(`          ${d.why}`);
        if (d.action === "refuse") for (const candidate of d.candidates) lines.push(`          - ${candidate}`);
    }
    lines.push("");
    if (commands.length === 0) {
        lines.push(
            "Nothing was changed. Decide each refused create in the Cloudflare dashboard: delete the objects that are not the stack's, or import the one that is",
            "(`pulumi import <type> <name> <import ID> --parent … --provider …`), then run recover again.",
        );
    } else {
        lines.push(yes ? `Running, in ${dir}:` : `To recover, run in ${dir} (or run recover again with --yes):`, ...commands.map((c) => `  ${c}`));
    }
    return `${lines.join("\n")}\n`;
}

function toJson(stack: string, decisions: readonly Decision[], commands: readonly string[]) {
    return {
        stack,
        decisions: decisions.map((d) => ({
            urn: d.create.urn,
            type: d.create.type,
            action: d.action,
            ...(d.action === "import" ? { id: d.id, importId: d.importId } : { reason: d.why }),
            ...(d.action === "refuse" ? { candidates: d.candidates } : {}),
        })),
        commands,
    };
}

/** A word as a POSIX shell reads it back: quoted only when it must be. */
function shellWord(word: string): string {
    return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

if (require.main === module) runAsProcess(recover);
