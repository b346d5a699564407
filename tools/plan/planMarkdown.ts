/**
 * `npm run plan -- --markdown`: the plan for a pull-request comment or a
 * job summary. Per app, a Mermaid flowchart of the traffic path (GitHub
 * renders Mermaid there) and the table of its resources; then the stack's
 * shared resources, footprint, outputs and warnings.
 */
import { describePaths } from "../../components/paths";
import type { Plan, PlannedResource } from "./plan";
import { compactJson, renderFootprint, resourceAction, resourceGuards, resourceSummary } from "./planFormat";
import type { TrafficFlow } from "./trafficFlow";

export function renderPlanMarkdown(plan: Plan): string {
    const sections = [
        `## Plan for stack \`${plan.stack}\``,
        `From \`${plan.configFile}\`, offline: the real program under Pulumi's mocks; IDs are placeholders, nothing is sent to Cloudflare.`,
        ...plan.apps.flatMap((app) => [`### ${app.hostname} (routing: \`${app.routing}\`)`, mermaid(flowchart(app.flow)), resourceTable(app.resources)]),
        ...(plan.shared.length > 0 ? ["### Zone- and account-wide", resourceTable(plan.shared)] : []),
        "### Footprint",
        fenced("text", renderFootprint(plan.footprint).join("\n")),
        "### Outputs",
        fenced("json", compactJson(plan.outputs)),
        ...(plan.warnings.length > 0 ? ["### Warnings", plan.warnings.map((warning) => `- ${escapeCell(warning)}`).join("\n")] : []),
    ];
    return sections.join("\n\n");
}

/**
 * The traffic path as a left-to-right flowchart: solid arrows carry
 * traffic, dotted ones are the fail-open path or what is not in the path.
 */
export function flowchart(flow: TrafficFlow): string {
    const lines = ["flowchart LR", '  visitor(["Visitor"]) --> cloudflare["Cloudflare edge"]'];
    const cequence = `${flow.cequence.hostname}:${flow.cequence.port}`;
    const cequenceLabel = `Cequence ${cequence}${flow.cequence.shared ? " (shared pool)" : ""}${flow.cequence.enabled ? "" : " (pool DISABLED)"}`;
    lines.push(`  cequence["${cequenceLabel}"]`, `  origin["Origin ${flow.origin.hostname}:${flow.origin.port}"]`);
    const cname = `CNAME ${flow.hostname}`;
    const lb = flow.loadBalancer;
    if (lb === undefined) {
        lines.push(`  cloudflare -->|"${cname}"| cequence`, '  cequence --> origin', '  note["no load balancer: no fail-open"] -.- cequence');
        return lines.join("\n");
    }
    const steering = lb.steering === "random" ? `random steering, ${lb.cequencePercent}% to Cequence` : "failover, steering off";
    lines.push(`  lb{{"Load balancer ${lb.hostname} (${steering})"}}`, "  cequence --> origin");
    if (flow.routing === "origin") {
        lines.push(`  cloudflare -->|"${cname}"| origin`, '  lb -.->|"not in the path until routing: loadBalancer"| cequence');
        return lines.join("\n");
    }
    lines.push(`  cloudflare -->|"${cname}"| lb`);
    // With paths, the pools below take only the listed paths' requests; the rule's branch takes the rest.
    const scope = lb.paths ? ` of ${describePaths(lb.paths)}` : "";
    if (!flow.cequence.enabled) lines.push(`  lb -.->|"pool 1: disabled"| cequence`, `  lb -->|"fallback: all traffic${scope}"| origin`);
    else if (lb.steering === "random") {
        lines.push(`  lb -->|"pool 1: ${lb.cequencePercent}%${scope}"| cequence`, `  lb -->|"pool 2: ${100 - lb.cequencePercent}%${scope}"| origin`);
    } else {
        lines.push(`  lb -->|"pool 1${lb.paths ? `: ${describePaths(lb.paths)}` : ""}"| cequence`, `  lb -.->|"fallback: fails open within ${lb.failOpenSeconds} s"| origin`);
    }
    if (lb.paths) lines.push('  lb ==>|"every other path: the rule, never Cequence"| origin');
    return lines.join("\n");
}

function resourceTable(resources: readonly PlannedResource[]): string {
    const rows = resources.map((r) => `| ${escapeCell(resourceAction(r))} | ${r.kind} | \`${r.label}\` | ${escapeCell(resourceSummary(r))} | ${resourceGuards(r).join(", ")} |`);
    return ["| change | kind | resource | what | guards |", "|---|---|---|---|---|", ...rows].join("\n");
}

function mermaid(chart: string): string {
    return fenced("mermaid", chart);
}

function fenced(language: string, body: string): string {
    return `\`\`\`${language}\n${body}\n\`\`\``;
}

/** Table cells end at `|` and lines; neither may appear inside one. */
function escapeCell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
