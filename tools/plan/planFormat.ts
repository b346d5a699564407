/**
 * How the plan words what both of its renderings show (text and Markdown):
 * the footprint, what happens to a resource and what guards it, and compact
 * JSON for outputs.
 */
import { ALL_REGIONS_PROBING_DATA_CENTERS, NON_ENTERPRISE_LIMITS, type Footprint } from "../../config/footprint";

/** What `pulumi up` does with the resource: create it, or adopt (import) an existing one. */
export function resourceAction(resource: { importId?: string }): string {
    return resource.importId ? "= adopt" : "+ create";
}

/** The resource's summary, and for an adopted one the ID it adopts (kept out of the action column, whose width it would break). */
export function resourceSummary(resource: { summary: string; importId?: string }): string {
    return resource.importId ? `${resource.summary} (adopts ${resource.importId})` : resource.summary;
}

/** "5 resources to create, 1 to adopt." */
export function resourceCounts(resources: ReadonlyArray<{ importId?: string }>): string {
    const adopted = resources.filter((r) => r.importId).length;
    const created = resources.length - adopted;
    return `${created} resource${created === 1 ? "" : "s"} to create${adopted > 0 ? `, ${adopted} to adopt` : ""}.`;
}

/** What keeps the resource from being deleted. */
export function resourceGuards(resource: { protect: boolean; retainOnDelete: boolean }): string[] {
    return [resource.protect ? "protected" : "", resource.retainOnDelete ? "retained on delete" : ""].filter((guard) => guard !== "");
}

export function renderFootprint(footprint: Footprint): string[] {
    const limits = NON_ENTERPRISE_LIMITS;
    return [
        "Footprint (Cloudflare Load Balancing; limits and pricing: docs/configuration.md, \"Cost and limits\"):",
        `  ${count(footprint.loadBalancers, "load balancer")}, ${count(footprint.pools, "pool")}, ${count(footprint.endpoints, "endpoint")}, ${count(footprint.monitors, "monitor")} (a non-Enterprise account allows ${limits.loadBalancers}, ${limits.pools}, ${limits.endpoints}, and ${limits.monitorsPerPool} × pools, for all its stacks)`,
        ...footprint.overLimits.map((over) => `  OVER THE LIMIT: ${over}`),
        `  health probes a minute, per probing data center (× ${ALL_REGIONS_PROBING_DATA_CENTERS} with All Regions):`,
        ...footprint.probed.map(
            (p) =>
                `    ${p.role.padEnd(8)} ${`${p.address}:${p.port}`.padEnd(40)} ${count(p.monitors, "monitor").padStart(12)} ${String(p.probesPerMinutePerDataCenter).padStart(7)}/min  (${p.probesPerMinuteAllRegions}/min with All Regions)`,
        ),
    ];
}

function count(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Indented JSON with lists of plain values kept on one line. */
export function compactJson(value: unknown): string {
    return JSON.stringify(value, null, 2).replace(/\[\s+((?:"[^"]*"|[\d.]+)(?:,\s+(?:"[^"]*"|[\d.]+))*)\s+\]/g, (_, items: string) => `[${items.replace(/,\s+/g, ", ")}]`);
}
