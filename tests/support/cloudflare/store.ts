/**
 * What the stand-in holds: accounts and zones, each with its objects as the
 * API's own JSON (snake_case, as GET returns them), plus the simulated world
 * the API only reports on (pool health per region, what a probe of each
 * origin finds). Tests read and change it directly, as someone in the
 * dashboard would.
 */
import { randomBytes, randomUUID } from "node:crypto";

export type Json = Record<string, unknown>;

/** A Cloudflare object: its JSON, with the fields the stand-in relies on typed. */
export interface ApiObject extends Json {
    id: string;
}

export interface Monitor extends ApiObject {
    created_on: string;
    modified_on: string;
}

export interface Origin extends Json {
    name: string;
    address: string;
    enabled: boolean;
    weight: number;
}

export interface Pool extends ApiObject {
    name: string;
    enabled: boolean;
    /** The attached monitor's ID; absent when none is attached. */
    monitor?: string;
    origins: Origin[];
    created_on: string;
    modified_on: string;
}

/** One of a load balancer's custom rules, as Cloudflare holds it (./loadBalancing.ts, `heldRules`). */
export interface LoadBalancerRule extends Json {
    name?: string;
    condition?: string;
    disabled: boolean;
    priority: number;
    /** Present, and true, only on a rule that stops evaluation. */
    terminates?: true;
    /** Only what was sent: an override present is applied. */
    overrides?: Json & { default_pools?: string[]; fallback_pool?: string };
}

export interface LoadBalancer extends ApiObject {
    name: string;
    /** Absent when it has none, as Cloudflare answers. */
    rules?: LoadBalancerRule[];
    default_pools: string[];
    fallback_pool: string;
    steering_policy: string;
    proxied: boolean;
    enabled: boolean;
    created_on: string;
    modified_on: string;
}

export interface DnsRecord extends ApiObject {
    name: string;
    type: string;
    content?: string;
    proxied?: boolean;
    ttl: number;
    created_on: string;
    modified_on: string;
}

export interface Rule extends ApiObject {
    expression: string;
    action: string;
    ref: string;
    enabled: boolean;
    version: string;
    last_updated: string;
}

export interface Ruleset extends ApiObject {
    name: string;
    kind: string;
    phase: string;
    rules: Rule[];
    version: string;
    last_updated: string;
}

export interface NotificationPolicy extends ApiObject {
    name: string;
    alert_type: string;
    enabled: boolean;
    mechanisms: Json;
    created: string;
    modified: string;
}

/** One managed transform, as GET …/managed_headers lists it. */
export interface ManagedTransform {
    id: string;
    enabled: boolean;
}

/** What a health probe of an origin finds (previews and pool health report it). */
export interface ProbeOutcome {
    healthy: boolean;
    failureReason: string;
    responseCode: number;
    rtt: string;
}

const HEALTHY_PROBE: Readonly<ProbeOutcome> = Object.freeze({ healthy: true, failureReason: "No failures", responseCode: 200, rtt: "66ms" });

export interface Preview {
    /** Pool ID → name, as the POST answered. */
    pools: Record<string, string>;
    polls: number;
    /** The request headers the previewed monitor's probes send (its `header`), by name as sent. */
    header: Record<string, string[]>;
}

/** A header an origin requires of every request, edge authentication's secret: without it the origin answers 403. */
export interface RequiredHeader {
    name: string;
    value: string;
}

/** What an origin that enforces edge authentication answers a probe without its header, as Cloudflare reports a code the monitor does not expect. */
export const FORBIDDEN_PROBE: Readonly<ProbeOutcome> = Object.freeze({ healthy: false, failureReason: "Response code mismatch error", responseCode: 403, rtt: "66ms" });

export interface Account {
    id: string;
    name: string;
    monitors: Monitor[];
    pools: Pool[];
    policies: NotificationPolicy[];
    previews: Map<string, Preview>;
    /** Pool ID → checking region → healthy; a pool not listed is healthy in every region of {@link CHECK_REGIONS}. */
    poolHealth: Record<string, Record<string, boolean>>;
    /** Origin address → what probing it finds; an address not listed is healthy ({@link HEALTHY_PROBE}). */
    probes: Record<string, ProbeOutcome>;
    /** Origin address → the header it requires (Cequence or the origin enforcing edge authentication); a probe without it finds {@link FORBIDDEN_PROBE}. */
    requiredHeaders: Record<string, RequiredHeader>;
    /**
     * Whether the account has the Load Balancing add-on ("Load balancing is an
     * add-on for your account"); true unless a test says otherwise. Without
     * it, creating a monitor, pool or load balancer is refused (./loadBalancing.ts)
     * and its subscriptions list none for it (./accountAccess.ts).
     */
    loadBalancing: boolean;
}

/** A zone's status (Cloudflare's Zone object): only an `active` zone's nameservers are Cloudflare's. */
export type ZoneStatus = "initializing" | "pending" | "active" | "moved";

/** A zone's plan, by the legacy ID the API's Zone object gives it (`plan.legacy_id`). */
export type ZonePlan = "free" | "pro" | "business" | "enterprise";

export interface Zone {
    id: string;
    name: string;
    accountId: string;
    created_on: string;
    /** `active` unless a test says otherwise. */
    status: ZoneStatus;
    /** A paused zone serves DNS only: nothing is proxied (dashboard → Overview → Pause Cloudflare on Site). */
    paused: boolean;
    /** `enterprise` unless a test says otherwise. */
    plan: ZonePlan;
    records: DnsRecord[];
    loadBalancers: LoadBalancer[];
    rulesets: Ruleset[];
    managedTransforms: { request: ManagedTransform[]; response: ManagedTransform[] };
    /**
     * Rules → Settings → URL normalization (./urlNormalization.ts): `scope`
     * `incoming` (normalize what rules see), `both` (and what the origin
     * gets) or `none` (off); `type` `cloudflare` or `rfc3986`. `incoming`
     * and `cloudflare` unless a test says otherwise, the values of the API
     * reference's own example.
     */
    urlNormalization: { scope: "incoming" | "both" | "none"; type: "cloudflare" | "rfc3986" };
}

/** The regions Cloudflare checks pools from, as pool health names them. */
export const CHECK_REGIONS: readonly string[] = ["Amsterdam, NL", "Ashburn, VA"];

/** The managed transforms every zone offers (Cloudflare's catalogue, as of the schema). */
export const MANAGED_TRANSFORMS = Object.freeze({
    request: ["add_bot_protection_headers", "add_client_certificate_headers", "add_visitor_location_headers", "add_true_client_ip_headers", "remove_visitor_ip_headers", "add_waf_credential_check_status_header"],
    response: ["add_security_headers", "remove_x-powered-by_header"],
});

/** A hostname as Cloudflare stores it: lower case, no trailing dot (the server's rule, which config/schema.ts applies to what users write). */
export function storedHostname(name: string): string {
    return name.toLowerCase().replace(/\.$/, "");
}

/** A 32-hex-digit ID, as Cloudflare gives its objects. */
export function newId(): string {
    return randomBytes(16).toString("hex");
}

/** Notification policies are identified by UUIDs. */
export function newUuid(): string {
    return randomUUID();
}

/** A server-set timestamp: RFC 3339 in UTC. */
export function timestamp(): string {
    return new Date().toISOString();
}

/** What a part of the stand-in keeps of one state beside the store (analytics, account access), made on first use. */
export function keptBeside<T>(slot: WeakMap<CloudflareState, T>, state: CloudflareState, make: () => T): T {
    let value = slot.get(state);
    if (value === undefined) {
        value = make();
        slot.set(state, value);
    }
    return value;
}

export class CloudflareState {
    readonly accounts: Account[] = [];
    readonly zones: Zone[] = [];
    /** GET of a preview's result answers "not yet" (`{}`) this many times per preview first. */
    previewPendingPolls = 0;

    addAccount(id = newId(), name = "Example Account"): Account {
        const account: Account = { id, name, monitors: [], pools: [], policies: [], previews: new Map(), poolHealth: {}, probes: {}, requiredHeaders: {}, loadBalancing: true };
        this.accounts.push(account);
        return account;
    }

    addZone(accountId: string, name: string, id = newId()): Zone {
        const zone: Zone = {
            id,
            name: name.toLowerCase(),
            accountId,
            created_on: timestamp(),
            status: "active",
            paused: false,
            plan: "enterprise",
            records: [],
            loadBalancers: [],
            rulesets: [],
            urlNormalization: { scope: "incoming", type: "cloudflare" },
            managedTransforms: {
                request: MANAGED_TRANSFORMS.request.map((transform) => ({ id: transform, enabled: false })),
                response: MANAGED_TRANSFORMS.response.map((transform) => ({ id: transform, enabled: false })),
            },
        };
        this.zones.push(zone);
        return zone;
    }

    account(id: string): Account | undefined {
        return this.accounts.find((a) => a.id === id);
    }

    zone(id: string): Zone | undefined {
        return this.zones.find((z) => z.id === id);
    }

    /**
     * What Cloudflare answers for a name of the zone: an enabled load balancer
     * of that name, over any A, AAAA or CNAME record with it ("If this hostname
     * already exists as a DNS record in Cloudflare's DNS, the Load Balancer will
     * take precedence and the DNS record will not be used": the API's load
     * balancer `name`, load-balancing_components-schemas-name in the OpenAPI
     * subset; "the LB record takes precedence when it is more or equally
     * specific", https://developers.cloudflare.com/load-balancing/load-balancers/dns-records/);
     * with the load balancer disabled, the records ("If you have existing DNS
     * records, these records will be served", same page, "Disabling a load
     * balancer"). Both may exist at once: neither create refuses the other.
     */
    answerAt(zone: Zone, name: string): { kind: "load-balancer"; loadBalancer: LoadBalancer } | { kind: "records"; records: DnsRecord[] } {
        const hostname = storedHostname(name);
        const loadBalancer = zone.loadBalancers.find((lb) => lb.name === hostname && lb.enabled !== false);
        if (loadBalancer) return { kind: "load-balancer", loadBalancer };
        return { kind: "records", records: zone.records.filter((record) => record.name === hostname && ["A", "AAAA", "CNAME"].includes(record.type)) };
    }

    /** Health of a pool per checking region. */
    regionsOf(account: Account, poolId: string): Record<string, boolean> {
        account.poolHealth[poolId] ??= Object.fromEntries(CHECK_REGIONS.map((region) => [region, true]));
        return account.poolHealth[poolId];
    }

    /**
     * The pool's global health, on which a load balancer fails over (steering
     * `off`): "If the majority of data centers for that region pass the health
     * monitor requests, that region is considered healthy. If the majority of
     * regions is healthy, then the endpoint itself will be considered healthy."
     * (https://developers.cloudflare.com/load-balancing/understand-basics/health-details/,
     * "How an endpoint becomes unhealthy"). Each region's verdict here is the
     * pool's, whose one origin is the endpoint; a tie is no majority.
     */
    globallyHealthy(account: Account, poolId: string): boolean {
        const verdicts = Object.values(this.regionsOf(account, poolId));
        return verdicts.filter(Boolean).length * 2 > verdicts.length;
    }

    /** What a probe of the address finds; with `header`, the probe's request headers, an origin that requires a header it lacks answers 403. */
    probeOf(account: Account, address: string, header?: Record<string, string[]>): ProbeOutcome {
        const required = account.requiredHeaders[address];
        if (required && header) {
            const sent = Object.entries(header).find(([name]) => name.toLowerCase() === required.name.toLowerCase())?.[1] ?? [];
            if (!sent.includes(required.value)) return FORBIDDEN_PROBE;
        }
        return account.probes[address] ?? HEALTHY_PROBE;
    }
}
