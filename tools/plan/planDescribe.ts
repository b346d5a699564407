/**
 * One-line summaries of registered resources for the plan: the settings a
 * reviewer checks before letting a change near a production hostname.
 */
import { describePaths, pathsOfRuleCondition } from "../../components/paths";
import { SECRET_MASK, type RegisteredResource } from "./mockEngine";

type Inputs = Record<string, unknown>;
/** Maps a resource ID to a readable name (pool IDs are placeholders offline). */
export type NameOf = (id: unknown) => string;
/**
 * Describers read `unmaskedInputs` only for what is not secret: Pulumi marks a
 * whole property secret (a monitor's header map, a ruleset's rules) when one
 * value inside is, and the plan still shows the rest of it.
 */
type Describer = (inputs: Inputs, nameOf: NameOf, unmasked: Inputs, importId: string) => string;

const DESCRIBERS: Record<string, Describer> = {
    "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": (i, _, unmasked) => {
        const headers = Object.entries((unmasked.header as Record<string, string[]> | undefined) ?? {})
            .map(([name, values]) => `${name}: ${name === "Host" ? values.join(",") : SECRET_MASK}`)
            .join(", ");
        const port = i.port === undefined ? "" : ` port ${String(i.port)}`;
        return `${String(i.type).toUpperCase()} ${i.method}${port} ${i.path} ${headers}; expect ${i.expectedCodes}; every ${i.interval}s, timeout ${i.timeout}s, retries ${i.retries}, up after ${i.consecutiveUp}, down after ${i.consecutiveDown}`;
    },
    "cloudflare:index/loadBalancerPool:LoadBalancerPool": (i) => {
        const origins = (i.origins as Array<{ name: string; address: string; port?: number }>)
            .map((o) => `${o.name}=${o.address}${o.port === undefined ? "" : `:${o.port}`}`)
            .join(", ");
        return `${i.name}: ${origins}; monitor ${i.monitor ? "attached" : "MISSING"}; ${i.enabled === false ? "DISABLED" : "enabled"}`;
    },
    "cloudflare:index/loadBalancer:LoadBalancer": (i, nameOf) => {
        const pools = (i.defaultPools as string[]).map(nameOf).join(" → ");
        const steering = i.steeringPolicy === "random" ? `random ${JSON.stringify((i.randomSteering as Inputs | undefined)?.poolWeights ?? {})}` : i.steeringPolicy;
        const adaptive = (i.adaptiveRouting as Inputs | undefined)?.failoverAcrossPools ? "; failover across pools" : "";
        const rules = ((i.rules as Array<{ condition: string; overrides?: { defaultPools?: string[] } }> | undefined) ?? []).map((rule) => {
            const paths = pathsOfRuleCondition(rule.condition);
            const to = (rule.overrides?.defaultPools ?? []).map(nameOf).join(" → ");
            return paths ? `; rule: every path but ${describePaths(paths)} → ${to}` : `; rule: when ${rule.condition} → ${to}`;
        });
        return `${i.name}: pools ${pools}, fallback ${nameOf(i.fallbackPool)}; steering ${steering}${adaptive}${rules.join("")}; ${i.proxied ? "proxied" : "NOT proxied"}`;
    },
    "cloudflare:index/notificationPolicy:NotificationPolicy": (i, nameOf) => {
        const filters = i.filters as { poolIds?: string[] } | undefined;
        const mechanisms = Object.entries((i.mechanisms as Record<string, Array<{ id: string }> | undefined>) ?? {})
            .filter(([, targets]) => targets !== undefined)
            .map(([kind, targets]) => `${kind} ${targets!.map((t) => t.id).join(", ")}`);
        return `${i.alertType} for ${(filters?.poolIds ?? []).map(nameOf).join(", ")} → ${mechanisms.join("; ")}`;
    },
    "cloudflare:index/ruleset:Ruleset": (i, _, unmasked, importId) => {
        const rules = (unmasked.rules as Array<{ ref: string; expression: string; actionParameters?: { headers?: Record<string, unknown> } }>) ?? [];
        const described = rules.map((rule) => {
            const headers = Object.keys(rule.actionParameters?.headers ?? {}).map((h) => `set ${h}: ${SECRET_MASK}`);
            return `[${rule.ref}] ${headers.join(", ")} when ${rule.expression}`;
        });
        const adopted = importId ? "; plus every other rule already in it, read at deploy time and kept unchanged (none offline)" : "";
        return `${i.kind} ${i.phase}: ${described.join("; ")}${adopted}`;
    },
    "random:index/randomPassword:RandomPassword": (i) =>
        `${i.length} characters${i.special === false ? ", letters and digits" : ""}; regenerated when rotation changes (now ${(i.keepers as Inputs | undefined)?.rotation ?? 0})`,
    "cloudflare:index/managedTransforms:ManagedTransforms": (i) => {
        const on = (list: unknown) => ((list as Array<{ id: string; enabled: boolean }>) ?? []).filter((t) => t.enabled).map((t) => t.id);
        return `zone managed transforms ON: request [${on(i.managedRequestHeaders).join(", ")}], response [${on(i.managedResponseHeaders).join(", ")}], plus every transform on in the zone at deploy time (read live; none offline)`;
    },
    "cloudflare:index/dnsRecord:DnsRecord": (i) =>
        `${i.type} ${i.name} → ${i.content}; ${i.proxied ? "proxied" : "DNS only"}, ttl ${i.ttl}`,
};

export function resourceKind(type: string): string {
    return type.split(":").pop() ?? type;
}

export function describeResource(resource: RegisteredResource, nameOf: NameOf): string {
    const describe = DESCRIBERS[resource.type];
    return describe ? describe(resource.inputs, nameOf, resource.unmaskedInputs, resource.importId) : JSON.stringify(resource.inputs);
}
