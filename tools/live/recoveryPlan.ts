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
    /**
     * When the stack resource was made (its `created`): Pulumi sets it when
     * the stack's first update registers it, before any other resource, so
     * no update of the stack began before it. Undefined in a state from before
     * Pulumi kept it (early 2023).
     */
    stackCreated: Date | undefined;
}

interface ExportedResource {
    created?: unknown;
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
    const stack = (deployment.resources ?? []).find((r) => r.type === "pulumi:pulumi:Stack");
    return { pendingCreates, idsInState, stackCreated: dateOf(stack?.created) };
}

/** One entry of `pulumi stack history --json`, newest first: the parts `recover` reads. */
interface UpdateInfo {
    startTime?: unknown;
}

/**
 * The earliest the killed update can have begun: the newest of the stack
 * resource's creation and the newest start in the stack's update history.
 * Pulumi Cloud lists the killed update itself (still in progress, or failed
 * once cancelled); a file or object-store backend writes an update's history
 * entry only when it ends, so there the newest start is the previous
 * update's, earlier than the killed one's. Either way no update began before
 * it, so an object Cloudflare made earlier was not the killed update's.
 * Undefined when neither is known.
 */
export function updateBegan(state: StackState, history: unknown): Date | undefined {
    const newest = Array.isArray(history) ? dateOf((history[0] as UpdateInfo | undefined)?.startTime) : undefined;
    const known = [state.stackCreated, newest].filter((date): date is Date => date !== undefined);
    return known.length === 0 ? undefined : new Date(Math.max(...known.map((date) => date.getTime())));
}

function dateOf(value: unknown): Date | undefined {
    if (typeof value !== "string") return undefined;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
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

/** An object a pending create may have made. */
interface Candidate {
    id: string;
    /** For people, e.g. `pool <id> <name>`. */
    what: string;
    /** When Cloudflare made it (`created_on`); undefined when it does not say. */
    createdOn: string | undefined;
}

/** One kind of Cloudflare object a pending create can have made. */
interface Kind {
    /** "account" for monitors and pools, "zone" for load balancers and records: the import ID's first part. */
    scope: "account" | "zone";
    /** The objects the create's inputs describe, or why they cannot be looked for. */
    candidates(inputs: Record<string, unknown>, objects: CloudflareObjects): Candidate[] | string;
}

const KINDS: Readonly<Record<string, Kind>> = {
    [RESOURCE_TYPES.monitor]: {
        scope: "account",
        // A monitor has no name: every setting the program sent must be Cloudflare's. One a pool uses is
        // that pool's (another stack's, alike in every setting): the killed update's pools waited for their
        // monitor's ID, which the state then holds, so no pool uses a monitor the update left pending.
        candidates: (inputs, objects) => {
            const wanted = monitorSettings(inputs);
            const used = new Set(objects.pools.map((pool) => pool.monitor));
            return [...objects.monitors].flatMap(([id, live]): Candidate[] =>
                !used.has(id) && Object.entries(wanted).every(([setting, value]) => live[setting as keyof LiveMonitor] === value)
                    ? [{ id, what: `monitor ${id} "${live.description ?? ""}"`, createdOn: live.createdOn }]
                    : [],
            );
        },
    },
    [RESOURCE_TYPES.pool]: {
        scope: "account",
        // Pool names carry the app and the stack, and the account holds them all.
        candidates: (inputs, objects) =>
            objects.pools.filter((pool) => pool.name === inputs.name).map((pool) => ({ id: pool.id, what: `pool ${pool.id} ${pool.name}`, createdOn: pool.createdOn })),
    },
    [RESOURCE_TYPES.loadBalancer]: {
        scope: "zone",
        candidates: (inputs, objects) => {
            const name = hostname(inputs.name);
            return objects.loadBalancers.filter((lb) => lb.name === name).map((lb) => ({ id: lb.id, what: `load balancer ${lb.id} ${lb.name}`, createdOn: lb.createdOn }));
        },
    },
    [RESOURCE_TYPES.dnsRecord]: {
        scope: "zone",
        candidates: (inputs, objects) => {
            const type = String(inputs.type);
            if (!objects.recordTypes.includes(type)) return `a ${type} record cannot be looked for (recover reads ${objects.recordTypes.join(", ")} records)`;
            const name = hostname(inputs.name);
            return (objects.records.get(name) ?? [])
                .filter((r) => r.type === type)
                .map((r) => ({ id: r.id, what: `${r.type} record ${r.id} ${r.name} → ${r.content}`, createdOn: r.createdOn }));
        },
    },
};

/** Types whose create makes nothing outside the state (a random password, a provider instance): clearing loses nothing. */
const STATE_ONLY_TYPE = /^(random:|pulumi:providers:)/;

/**
 * Decides each pending create: exactly one Cloudflare object its inputs
 * describe, no resource in the state has, and Cloudflare made once the
 * update had begun (`began`) → import it; none → clear (an older one was
 * there before the update, so the create met it and made nothing: it is
 * named in the reason); more than one, two creates claiming one object, a
 * candidate when it cannot be told when the update began or when the
 * candidate was made, a create sent to another account or zone than
 * `scope`, or a type it cannot look for → refuse.
 */
export function decide(state: StackState, objects: CloudflareObjects, scope: ListScope, began: Date | undefined): Decision[] {
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
        const outside = found.filter((candidate) => !state.idsInState.has(candidate.id));
        if (outside.length === 0) return { action: "clear", create, why: "Cloudflare holds no such object outside the state: the create never happened" };
        const dated = (candidate: Candidate) => `${candidate.what} (made ${candidate.createdOn ?? "at a time Cloudflare does not give"})`;
        if (began === undefined) {
            return {
                action: "refuse",
                create,
                why: "recover cannot tell when the killed update began (the state's stack resource has no `created`, and `pulumi stack history` lists no update), so not whether it made these",
                candidates: outside.map(dated),
            };
        }
        const undated = outside.filter((candidate) => dateOfCreation(candidate) === undefined);
        if (undated.length > 0) return { action: "refuse", create, why: "Cloudflare does not say when it made these, so not whether the killed update did", candidates: undated.map(dated) };
        const orphans = outside.filter((candidate) => dateOfCreation(candidate)! >= began.getTime());
        if (orphans.length === 0) {
            const older = outside.map(dated).join(", ");
            const met =
                create.type === RESOURCE_TYPES.dnsRecord
                    ? "; the create met it with Cloudflare's 81053 (a record with that name exists) and made nothing: adopt it with the app's existingRecordId (or remove it) before `pulumi up`"
                    : "";
            return { action: "clear", create, why: `${older} was made before the update began (${began.toISOString()} or later), so not by this create${met}` };
        }
        if (orphans.length > 1) return { action: "refuse", create, why: `Cloudflare holds ${orphans.length} such objects outside the state`, candidates: orphans.map(dated) };
        const [orphan] = orphans as [Candidate];
        return { action: "import", create, id: orphan.id, importId: `${expected}/${orphan.id}`, found: orphan.what };
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
    const sent: Record<Exclude<keyof LiveMonitor, "createdOn">, unknown> = {
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

function dateOfCreation(candidate: Candidate): number | undefined {
    return dateOf(candidate.createdOn)?.getTime();
}

function hostname(value: unknown): string {
    return normaliseHostname(String(value));
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
