/**
 * What `recover` decides for a stack whose update was killed: for each create
 * the state holds as pending (Pulumi sent it, but never heard back), the
 * Cloudflare object it made, if any. No I/O: recover.ts reads the state and
 * Cloudflare and runs the Pulumi CLI.
 */
import { normaliseHostname } from "../../components/hostnames";
import { RESOURCE_TYPES } from "../../policy/resourceTypes";
import type { LiveLoadBalancer, LiveMonitor, LivePool, LiveRecord } from "./deployment";
import type { ListScope } from "./readDeployment";

/** A create the killed update started: `pending_operations` of type "creating" in `pulumi stack export`. */
export interface PendingCreate {
    urn: string;
    type: string;
    /** The name the program gave it (the URN's last part). */
    name: string;
    /** What Pulumi sent Cloudflare: the resource's inputs, by their Pulumi names. */
    inputs: Record<string, unknown>;
    /** The parent component's URN. */
    parent: string | undefined;
    /** The provider's URN (the state's reference without its `::<id>`). */
    provider: string | undefined;
}

/** The part of a stack's state `recover` reads. */
export interface StackState {
    pendingCreates: PendingCreate[];
    /** Every ID of a resource the state holds: objects Pulumi already manages are never an orphan. */
    idsInState: Set<string>;
}

interface ExportedResource {
    urn?: unknown;
    type?: unknown;
    id?: unknown;
    inputs?: unknown;
    parent?: unknown;
    provider?: unknown;
}

/** Reads the output of `pulumi stack export` (a version 3 deployment). */
export function readStackState(exported: unknown): StackState {
    const deployment = (exported as { deployment?: { resources?: ExportedResource[]; pending_operations?: Array<{ type?: unknown; resource?: ExportedResource }> } } | null)
        ?.deployment;
    if (deployment === undefined || deployment === null) throw new Error("`pulumi stack export` printed no deployment");
    const idsInState = new Set((deployment.resources ?? []).flatMap((r) => (typeof r.id === "string" && r.id !== "" ? [r.id] : [])));
    const pendingCreates = (deployment.pending_operations ?? []).flatMap((op): PendingCreate[] => {
        const resource = op.resource;
        if (op.type !== "creating" || typeof resource?.urn !== "string" || typeof resource.type !== "string") return [];
        const provider = typeof resource.provider === "string" ? resource.provider : undefined;
        return [
            {
                urn: resource.urn,
                type: resource.type,
                // urn:pulumi:<stack>::<project>::<qualified type>::<name>; a name may itself hold "::".
                name: resource.urn.split("::").slice(3).join("::"),
                inputs: isRecord(resource.inputs) ? resource.inputs : {},
                parent: typeof resource.parent === "string" ? resource.parent : undefined,
                provider: provider?.slice(0, provider.lastIndexOf("::")),
            },
        ];
    });
    return { pendingCreates, idsInState };
}

/** What Cloudflare holds of the kinds the stack creates, in the stack's account and zone. */
export interface CloudflareObjects {
    monitors: ReadonlyMap<string, LiveMonitor>;
    pools: readonly LivePool[];
    loadBalancers: readonly LiveLoadBalancer[];
    /** Each name's CNAME, A and AAAA records. */
    records: ReadonlyMap<string, readonly LiveRecord[]>;
    /** The record types `records` holds: a pending record of another type cannot be looked for. */
    recordTypes: readonly string[];
}

export type Decision =
    /** Cloudflare made exactly this object: the state adopts it. `importId` is the form the provider imports. */
    | { action: "import"; create: PendingCreate; id: string; importId: string; found: string }
    /** The create never reached Cloudflare (or made nothing outside the state): forget it, `pulumi up` makes it. */
    | { action: "clear"; create: PendingCreate; why: string }
    /** No safe decision: more than one candidate, or an object `recover` cannot look for. */
    | { action: "refuse"; create: PendingCreate; why: string; candidates: string[] };

/** One kind of Cloudflare object a pending create can have made. */
interface Kind {
    /** "account" for monitors and pools, "zone" for load balancers and records: the import ID's first part. */
    scope: "account" | "zone";
    /** The objects the create's inputs describe, as [id, a description for people]. */
    candidates(inputs: Record<string, unknown>, objects: CloudflareObjects): Array<[string, string]> | string;
}

const KINDS: Readonly<Record<string, Kind>> = {
    [RESOURCE_TYPES.monitor]: {
        scope: "account",
        // A monitor has no name: every setting the program sent must be Cloudflare's.
        candidates: (inputs, objects) => {
            const wanted = monitorSettings(inputs);
            return [...objects.monitors].flatMap(([id, live]): Array<[string, string]> =>
                Object.entries(wanted).every(([setting, value]) => live[setting as keyof LiveMonitor] === value) ? [[id, `monitor ${id} "${live.description ?? ""}"`]] : [],
            );
        },
    },
    [RESOURCE_TYPES.pool]: {
        scope: "account",
        // Pool names carry the app and the stack, and the account holds them all.
        candidates: (inputs, objects) => objects.pools.filter((pool) => pool.name === inputs.name).map((pool) => [pool.id, `pool ${pool.id} ${pool.name}`]),
    },
    [RESOURCE_TYPES.loadBalancer]: {
        scope: "zone",
        candidates: (inputs, objects) => {
            const name = hostname(inputs.name);
            return objects.loadBalancers.filter((lb) => lb.name === name).map((lb) => [lb.id, `load balancer ${lb.id} ${lb.name}`]);
        },
    },
    [RESOURCE_TYPES.dnsRecord]: {
        scope: "zone",
        candidates: (inputs, objects) => {
            const type = String(inputs.type);
            if (!objects.recordTypes.includes(type)) return `a ${type} record cannot be looked for (recover reads ${objects.recordTypes.join(", ")} records)`;
            const name = hostname(inputs.name);
            return (objects.records.get(name) ?? []).filter((r) => r.type === type).map((r) => [r.id, `${r.type} record ${r.id} ${r.name} → ${r.content}`]);
        },
    },
};

/** Types whose create makes nothing outside the state (a random password, a provider instance): clearing loses nothing. */
const STATE_ONLY_TYPE = /^(random:|pulumi:providers:)/;

/**
 * Decides each pending create: exactly one Cloudflare object its inputs
 * describe and no resource in the state has → import it; none → clear;
 * more than one, two creates claiming one object, a create sent to another
 * account or zone than `scope`, or a type it cannot look for → refuse.
 */
export function decide(state: StackState, objects: CloudflareObjects, scope: ListScope): Decision[] {
    const decisions = state.pendingCreates.map((create): Decision => {
        if (STATE_ONLY_TYPE.test(create.type)) return { action: "clear", create, why: "it makes nothing outside the Pulumi state" };
        const kind = KINDS[create.type];
        if (kind === undefined) return { action: "refuse", create, why: `recover cannot look for a ${create.type} in Cloudflare`, candidates: [] };
        const [key, expected] = kind.scope === "account" ? (["accountId", scope.accountId] as const) : (["zoneId", scope.zoneId] as const);
        if (create.inputs[key] !== expected) {
            return { action: "refuse", create, why: `it was sent to ${kind.scope} ${String(create.inputs[key])}, but the stack's config names ${expected}`, candidates: [] };
        }
        const found = kind.candidates(create.inputs, objects);
        if (typeof found === "string") return { action: "refuse", create, why: found, candidates: [] };
        const orphans = found.filter(([id]) => !state.idsInState.has(id));
        if (orphans.length === 0) return { action: "clear", create, why: "Cloudflare holds no such object outside the state: the create never happened" };
        if (orphans.length > 1) return { action: "refuse", create, why: `Cloudflare holds ${orphans.length} such objects outside the state`, candidates: orphans.map(([, what]) => what) };
        const [[id, what]] = orphans as [[string, string]];
        return { action: "import", create, id, importId: `${expected}/${id}`, found: what };
    });
    // Two creates may not adopt one object: which one made it cannot be told.
    const claims = new Map<string, number>();
    for (const d of decisions) if (d.action === "import") claims.set(d.id, (claims.get(d.id) ?? 0) + 1);
    return decisions.map((d) =>
        d.action === "import" && claims.get(d.id)! > 1 ? { action: "refuse", create: d.create, why: `${claims.get(d.id)} pending creates describe the same object`, candidates: [d.found] } : d,
    );
}

/**
 * The file `pulumi import --file` takes to adopt the decided objects, each
 * under its pending create's URN (parent, name) and provider, so that the
 * program's next `pulumi up` finds it in the state.
 */
export function importFile(decisions: readonly Decision[]): { nameTable: Record<string, string>; resources: object[] } {
    const nameTable: Record<string, string> = {};
    const refer = (urn: string | undefined) => {
        if (urn === undefined) return undefined;
        const key = Object.keys(nameTable).find((k) => nameTable[k] === urn) ?? `ref${Object.keys(nameTable).length}`;
        nameTable[key] = urn;
        return key;
    };
    const resources = decisions.flatMap((d, index) =>
        d.action === "import"
            ? [{ type: d.create.type, name: `orphan${index}`, logicalName: d.create.name, id: d.importId, parent: refer(d.create.parent), provider: refer(d.create.provider) }]
            : [],
    );
    return { nameTable, resources };
}

/** The settings a monitor's inputs ask for, as text in the shape {@link LiveMonitor} reports them; a secret input is not compared. */
function monitorSettings(inputs: Record<string, unknown>): LiveMonitor {
    const header = inputs.header;
    const host = isRecord(header) && Array.isArray(header.Host) ? header.Host.join(", ") : undefined;
    const sent: Record<keyof LiveMonitor, unknown> = {
        description: inputs.description,
        type: inputs.type,
        method: inputs.method,
        path: inputs.path,
        port: inputs.port,
        host,
        expectedCodes: inputs.expectedCodes,
        interval: inputs.interval,
        timeout: inputs.timeout,
        retries: inputs.retries,
        consecutiveUp: inputs.consecutiveUp,
        consecutiveDown: inputs.consecutiveDown,
        followRedirects: inputs.followRedirects,
        allowInsecure: inputs.allowInsecure,
    };
    return Object.fromEntries(
        Object.entries(sent).flatMap(([setting, value]) => (typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? [[setting, String(value)]] : [])),
    );
}

function hostname(value: unknown): string {
    return normaliseHostname(String(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
