/**
 * `npm run plan [-- --stack <name>] [--json]`: what `pulumi up` would create
 * for a stack, with no Cloudflare account and no Pulumi CLI. It runs the real
 * program under Pulumi's mocks with the stack's `Pulumi.<stack>.yaml`, so
 * IDs are placeholders but every input, option and output is the program's.
 */
import { parseArgs } from "node:util";
import { stackFootprint, type Footprint } from "../../config/footprint";
import { formatIssues, type ConfigIssue } from "../../config/messages";
import { parseStackConfig } from "../../config/parse";
import { existingLoadBalancerNote, firstUpNotes } from "../../config/warnings";
import type { StackConfig } from "../../config/schema";
import { readConfigThroughCli } from "../../config/pulumiCli";
import { readStackFile, stackFilePath } from "../../config/stackFile";
import { FROM_PULUMI_FLAG } from "../../config/flags";
import { unreadableNotes } from "../../config/unreadable";
import { PROJECT_ROOT, runProgram, type ProgramRun, type RegisteredResource } from "./mockEngine";
import { OFFLINE_CALLS } from "./offlineCalls";
import { describeResource, resourceKind } from "./planDescribe";
import { compactJson, renderFootprint, resourceAction, resourceCounts, resourceGuards, resourceSummary } from "./planFormat";
import { renderPlanMarkdown } from "./planMarkdown";
import { describeFlow, trafficFlow, type TrafficFlow } from "./trafficFlow";

export interface Plan {
    stack: string;
    configFile: string;
    apps: PlannedApp[];
    /** Resources that belong to no single app (zone- or account-wide). */
    shared: PlannedResource[];
    outputs: Record<string, unknown>;
    warnings: string[];
    /** What the stack costs in Load Balancing: endpoints, monitors, probe traffic. */
    footprint: Footprint;
}

export interface PlannedApp {
    hostname: string;
    routing: string;
    /** The request path, hop by hop, as text. */
    traffic: string[];
    /** The same path as data (what `--markdown` draws). */
    flow: TrafficFlow;
    resources: PlannedResource[];
}

export interface PlannedResource {
    kind: string;
    /** The Pulumi resource name. */
    name: string;
    /** Its role, e.g. `cequence-monitor`. */
    label: string;
    type: string;
    summary: string;
    protect: boolean;
    retainOnDelete: boolean;
    importId?: string;
    inputs: Record<string, unknown>;
}

/** A plan that cannot be made: invalid config, or a program failure. */
class PlanError extends Error {
    constructor(
        message: string,
        readonly issues: readonly ConfigIssue[] = [],
    ) {
        super(message);
    }
}

/** Where the plan reads the stack's config: the stack file (offline), or the Pulumi CLI (`--from-pulumi`). */
export interface PlanOptions {
    fromPulumi?: boolean;
}

export async function buildPlan(stack: string, projectDir = PROJECT_ROOT, options: PlanOptions = {}): Promise<Plan> {
    const configFile = stackFilePath(projectDir, stack);
    const raw = options.fromPulumi ? readConfigThroughCli(projectDir, stack) : readStackFile(configFile);
    const parsed = parseStackConfig(raw);
    if (!parsed.ok) {
        throw new PlanError(
            `Invalid config in ${configFile} (${parsed.issues.length} problem${parsed.issues.length === 1 ? "" : "s"}); nothing would be created:\n${formatIssues(parsed.issues)}`,
            parsed.issues,
        );
    }
    const run = await runProgram({ stack, config: raw, calls: OFFLINE_CALLS });
    if (run.error) throw new PlanError(`The program failed: ${run.error.message}`);
    const plan = toPlan(stack, configFile, parsed.config, run);
    return { ...plan, warnings: [...plan.warnings, ...firstUpNotes(parsed.config), ...existingLoadBalancerNote(parsed.config), ...unreadableNotes(raw, configFile)] };
}

function toPlan(stack: string, configFile: string, config: StackConfig, run: ProgramRun): Plan {
    const custom = run.resources.filter((r) => r.custom);
    const names = new Map(custom.map((r) => [r.id, typeof r.inputs.name === "string" ? r.inputs.name : r.name]));
    const planned = (resource: RegisteredResource, label: string): PlannedResource => ({
        kind: resourceKind(resource.type),
        name: resource.name,
        label,
        type: resource.type,
        summary: describeResource(resource, (id) => names.get(String(id)) ?? String(id)),
        protect: resource.protect,
        retainOnDelete: resource.retainOnDelete,
        ...(resource.importId ? { importId: resource.importId } : {}),
        inputs: resource.inputs,
    });
    const owned = new Set<RegisteredResource>();
    const apps = config.apps.map((app): PlannedApp => {
        const resources = custom.filter((r) => r.name.startsWith(`${app.hostname}-`));
        resources.forEach((r) => owned.add(r));
        const flow = trafficFlow(config, app);
        return { hostname: app.hostname, routing: app.routing, traffic: describeFlow(flow), flow, resources: resources.map((r) => planned(r, r.name.slice(app.hostname.length + 1))) };
    });
    return {
        stack,
        configFile,
        apps,
        shared: custom.filter((r) => !owned.has(r)).map((r) => planned(r, r.name)),
        outputs: run.outputs,
        warnings: run.warnings,
        footprint: stackFootprint(config),
    };
}

function renderPlan(plan: Plan): string {
    const lines = [
        `Plan for stack "${plan.stack}" from ${plan.configFile}`,
        "Offline: the real program under Pulumi's mocks; IDs are placeholders, nothing is sent to Cloudflare.",
        "",
    ];
    for (const app of plan.apps) {
        lines.push(`${app.hostname}  (routing: ${app.routing})`);
        lines.push(...app.traffic.map((hop, i) => `  ${i === 0 ? "traffic:" : "        "} ${hop}`));
        lines.push(...app.resources.map(renderResource));
        lines.push("");
    }
    if (plan.shared.length > 0) {
        lines.push("Stack-wide (zone, account, shared Cequence pool)");
        lines.push(...plan.shared.map(renderResource));
        lines.push("");
    }
    lines.push(resourceCounts([...plan.apps.flatMap((a) => a.resources), ...plan.shared]), "", ...renderFootprint(plan.footprint), "", "Outputs:");
    for (const [name, value] of Object.entries(plan.outputs)) {
        lines.push(`  ${name}: ${compactJson(value).replace(/\n/g, "\n  ")}`);
    }
    if ("cloudflareIpRanges" in plan.outputs) {
        lines.push("  (offline, cloudflareIpRanges is a sample of Cloudflare's published list; `pulumi up` reads the current one)");
    }
    if (plan.warnings.length > 0) lines.push("", ...plan.warnings.map((w) => `warning: ${w}`));
    return lines.join("\n");
}

function renderResource(resource: PlannedResource): string {
    const guards = resourceGuards(resource);
    const guardText = guards.length > 0 ? `  [${guards.join(", ")}]` : "";
    return `  ${resourceAction(resource).padEnd(10)} ${resource.kind.padEnd(20)} ${resource.label.padEnd(18)} ${resourceSummary(resource)}${guardText}`;
}

const USAGE = `usage: npm run plan [-- --stack <name>] [--json | --markdown] [--dir <project dir>] [${FROM_PULUMI_FLAG}] [--help]`;

async function main(): Promise<void> {
    let options: { stack: string; json: boolean; markdown: boolean; dir: string; "from-pulumi": boolean; help: boolean };
    try {
        options = parseArgs({
            options: {
                stack: { type: "string", default: "prod" },
                json: { type: "boolean", default: false },
                markdown: { type: "boolean", default: false },
                dir: { type: "string", default: PROJECT_ROOT },
                "from-pulumi": { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        }).values;
    } catch (error) {
        const message = `${(error as Error).message}\n${USAGE}`;
        process.stderr.write(`${message}\n`);
        // A bad flag is still an error a script reading `--json` must see on stdout.
        if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify({ stack: null, error: message, issues: [] }, null, 2)}\n`);
        process.exitCode = 1;
        return;
    }
    if (options.help) {
        process.stdout.write(`${USAGE}\n`);
        return;
    }
    try {
        const plan = await buildPlan(options.stack, options.dir, { fromPulumi: options["from-pulumi"] });
        process.stdout.write(`${options.json ? JSON.stringify(plan, null, 2) : options.markdown ? renderPlanMarkdown(plan) : renderPlan(plan)}\n`);
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`${message}\n`);
        if (options.json) {
            const issues = error instanceof PlanError ? error.issues : [];
            process.stdout.write(`${JSON.stringify({ stack: options.stack, error: message, issues }, null, 2)}\n`);
        }
        process.exitCode = 1;
    }
}

if (require.main === module) void main();
