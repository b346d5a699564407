/**
 * The stack's configuration: one zod schema, parsed once, shared by the Pulumi
 * program and the tools. Every problem is reported at once, each under the
 * config key path that holds it.
 */
import * as z from "zod";
import {
    CEQUENCE_ENABLED_DEFAULT,
    CEQUENCE_PORT_DEFAULT,
    CONFLICTS_WITH_TRUE_CLIENT_IP,
    FAILOVER_ACROSS_POOLS_DEFAULT,
    MONITOR_LIMITS,
    ROUTING_DEFAULT,
    TRAFFIC_PERCENT_DEFAULT,
    TRUE_CLIENT_IP_DEFAULT,
    TRUE_CLIENT_IP_TRANSFORM,
    EDGE_AUTH_HEADER_DEFAULT,
    SHARED_POOL_DEFAULT,
    withMonitorDefaults,
    type MonitorSettings,
} from "../components/defaults";
import { defaultLbHostname, hasLoadBalancer, isInZone, ROUTINGS, type Routing } from "../components/naming";

export type { Routing };

export interface AppConfig {
    /** Public hostname, e.g. `www.cq-route.com`. */
    hostname: string;
    /** Application origin hostname, e.g. `origin-www.cq-route.com`. */
    origin: string;
    /** Load balancer hostname (defaulted from `hostname` and the zone). */
    lbHostname: string;
    routing: Routing;
    /** ID of the public hostname's existing DNS record, adopted instead of created. */
    existingRecordId?: string;
    /** The origin pool's monitor. */
    monitor: MonitorSettings;
}

/** The Cequence monitor's settings: a pool monitor's, and the Host a shared pool's monitor sends. */
export interface CequenceMonitorSettings extends MonitorSettings {
    /**
     * The Host header of the shared Cequence pool's monitor (`cequence.sharedPool`);
     * defaulted to the first load-balanced app's public hostname. Absent with
     * per-app pools, whose monitors each send their app's hostname.
     */
    host?: string;
}

export interface StackConfig {
    accountId: string;
    zoneId: string;
    zone: string;
    cequence: {
        hostname: string;
        enabled: boolean;
        /** Retry a request on the origin pool when Cequence fails to connect (adaptive routing). */
        failoverAcrossPools: boolean;
        /** Share of traffic sent through Cequence, 1–100. */
        trafficPercent: number;
        /** One Cequence pool and monitor for the whole stack instead of one per app. */
        sharedPool: boolean;
        /** The Cequence endpoint's port (443, or a Cequence Bridge's, e.g. 9443), for the pool's origin and its monitor. */
        port: number;
        monitor: CequenceMonitorSettings;
    };
    apps: AppConfig[];
    /** Where fail-open and pool-disabled notifications go; all lists empty when none. */
    alerts: { emails: string[]; webhookIds: string[]; pagerdutyIds: string[] };
    trueClientIp: boolean;
    /** Managed transforms that must stay on when the stack owns the zone's managed transforms. */
    managedTransforms: { request: string[]; response: string[] };
    /** The secret edge-authentication header; absent when off. */
    edgeAuth?: {
        headerName: string;
        active: "a" | "b";
        rotation: { a: number; b: number };
        existingRulesetId?: string;
    };
}

/** One problem in the config, under the key path that holds it. */
export interface ConfigIssue {
    path: string;
    message: string;
}

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

/** The Pulumi project name, which is also the config namespace. */
export const CONFIG_NAMESPACE = "cloudflare-cequence";

/** The provider's token key: it must be stored as a secret. */
const API_TOKEN_KEY = "cloudflare:apiToken";

/**
 * Config as Pulumi hands it to a program: fully qualified keys, every value a
 * string (objects and lists as JSON), and the keys whose values are secrets.
 */
export interface RawStackConfig {
    values: Record<string, string>;
    secretKeys: readonly string[];
}

// ---------------------------------------------------------------- primitives

const cloudflareId = z
    .string()
    .regex(/^[0-9a-f]{32}$/, "must be a 32-character lower-case hexadecimal Cloudflare ID");

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A fully qualified DNS name; case and one trailing dot are normalised away, as Cloudflare does. */
export function normaliseHostname(text: string): string {
    return text.trim().toLowerCase().replace(/\.$/, "");
}

function isDnsHostname(name: string): boolean {
    const labels = name.split(".");
    return (
        name.length <= 253 &&
        labels.length >= 2 &&
        labels.every((label) => DNS_LABEL.test(label)) &&
        !/^[0-9]+$/.test(labels[labels.length - 1]!)
    );
}

/** DNS's limits (RFC 1035): 63 characters a label, 253 a name. */
const DNS_LIMITS = { label: 63, name: 253 } as const;

/** Why `name` (made of DNS-label characters) breaks DNS's length limits, or undefined. */
function dnsLengthProblem(name: string): string | undefined {
    if (name.length > DNS_LIMITS.name) return `is ${name.length} characters long (DNS allows ${DNS_LIMITS.name})`;
    const long = name.split(".").find((label) => label.length > DNS_LIMITS.label);
    return long ? `has the label ${long}, ${long.length} characters long (DNS allows ${DNS_LIMITS.label})` : undefined;
}

const hostname = z
    .string()
    .overwrite(normaliseHostname)
    .refine(isDnsHostname, {
        error: (issue) =>
            `must be a DNS hostname such as origin-www.example.com (letters, digits and hyphens in dot-separated labels; no scheme, port, path or IP address), got ${JSON.stringify(issue.input)}`,
    });

const boundedInt = (bounds: { min: number; max: number }) => z.int().min(bounds.min).max(bounds.max);

/**
 * The status classes a monitor may count as healthy, by the pool it watches
 * (README, "Monitors"). Probes follow no redirects and a 1xx is never a final
 * answer, so neither is health for Cequence; a Cequence that answers 5xx must
 * fail open, never stay healthy; and a 4xx is Cequence refusing the probe, as
 * it would refuse the traffic. The origin is the fallback, which takes traffic
 * whatever its health, so its monitor only tells status, preflight and alerts
 * the truth: a code that counts 5xx (or 1xx) as healthy would report a broken
 * origin ready for a cutover; 3xx and 4xx are what some origins answer on
 * their health path (an API's `/` answering 401 or 404).
 */
const HEALTHY_CLASSES = { cequence: ["2"], origin: ["2", "3", "4"] } as const;
type MonitoredRole = keyof typeof HEALTHY_CLASSES;

function expectedCodes(role: MonitoredRole) {
    const classes: readonly string[] = HEALTHY_CLASSES[role];
    const allowed = classes.map((c) => `${c}xx`).join(", ");
    const why =
        role === "cequence"
            ? "a Cequence that answers otherwise must fail open to the origin, never stay in line"
            : "an origin that answers 1xx or 5xx is not healthy, and status and preflight would report it ready";
    return z
        .string()
        .regex(/^[1-5](\d\d|xx)$/, 'must be one status code such as "200" or a range such as "2xx"')
        .refine((codes) => classes.includes(codes[0]!), {
            error: (issue) => `${JSON.stringify(issue.input)} cannot mean healthy on the ${role} monitor: use a code or range in ${allowed}; ${why}`,
        });
}

function monitorFields(role: MonitoredRole) {
    return {
        path: z
            .string()
            .regex(/^\/\S*$/, "must start with / and contain no spaces, e.g. /health")
            .optional(),
        expectedCodes: expectedCodes(role).optional(),
        interval: boundedInt(MONITOR_LIMITS.interval).optional(),
        timeout: boundedInt(MONITOR_LIMITS.timeout).optional(),
        retries: boundedInt(MONITOR_LIMITS.retries).optional(),
        consecutiveUp: boundedInt(MONITOR_LIMITS.consecutiveUp).optional(),
        consecutiveDown: boundedInt(MONITOR_LIMITS.consecutiveDown).optional(),
    };
}

function checkProbeTiming(settings: MonitorSettings, ctx: z.core.$RefinementCtx<MonitorSettings>): void {
    const probeSeconds = (settings.retries + 1) * settings.timeout;
    if (settings.interval <= probeSeconds) {
        ctx.addIssue({
            code: "custom",
            path: ["interval"],
            message: `must exceed (retries + 1) × timeout = (${settings.retries} + 1) × ${settings.timeout} = ${probeSeconds} s (Cloudflare's rule); got ${settings.interval}`,
        });
    }
}

const originMonitor = z.strictObject(monitorFields("origin")).optional().transform(withMonitorDefaults).superRefine(checkProbeTiming);

const cequenceMonitor = z
    .strictObject({ ...monitorFields("cequence"), host: hostname.optional() })
    .optional()
    .transform((settings): CequenceMonitorSettings => ({
        ...withMonitorDefaults(settings),
        ...(settings?.host === undefined ? {} : { host: settings.host }),
    }))
    .superRefine(checkProbeTiming);

const notificationDestinationId = z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, "must be a Cloudflare notification destination ID (Notifications → Destinations)");

const managedTransformId = z.string().regex(/^[a-z0-9_]+$/, "must be a managed transform ID such as add_visitor_location_headers");


/** The list without repeats, in first-seen order. */
function unique(values: string[]): string[] {
    return [...new Set(values)];
}

/** Emails without repeats; the domain is case-insensitive, so `ops@Example.com` repeats `ops@example.com`. */
function uniqueEmails(emails: string[]): string[] {
    const key = (email: string) => email.replace(/@[^@]*$/, (domain) => domain.toLowerCase());
    const first = new Map<string, string>();
    for (const email of emails) if (!first.has(key(email))) first.set(key(email), email);
    return [...first.values()];
}

/** Headers the edge-authentication header may not be (compared in lower case). */
const RESERVED_HEADERS = new Set(["host", "x-forwarded-for", "true-client-ip", "x-real-ip"]);

const app = z.strictObject({
    hostname,
    origin: hostname,
    lbHostname: hostname.optional(),
    routing: z
        .enum(ROUTINGS, { error: `must be one of ${ROUTINGS.map((r) => `"${r}"`).join(", ")}` })
        .default(ROUTING_DEFAULT),
    existingRecordId: cloudflareId.optional(),
    monitor: originMonitor,
});

/** The schema of the project's config keys (unqualified), for tools that describe them. */
export const stackConfigSchema = z.strictObject({
    accountId: cloudflareId,
    zoneId: cloudflareId,
    zone: hostname,
    cequence: z.strictObject({
        hostname,
        enabled: z.boolean().default(CEQUENCE_ENABLED_DEFAULT),
        failoverAcrossPools: z.boolean().default(FAILOVER_ACROSS_POOLS_DEFAULT),
        trafficPercent: z.int().min(1).max(100).default(TRAFFIC_PERCENT_DEFAULT),
        sharedPool: z.boolean().default(SHARED_POOL_DEFAULT),
        port: z.int().min(1).max(65535).default(CEQUENCE_PORT_DEFAULT),
        monitor: cequenceMonitor,
    }),
    apps: z.array(app).min(1, "must list at least one app to protect"),
    alerts: z
        .strictObject({
            emails: z.array(z.email("must be an email address such as oncall@example.com")).default([]),
            webhookIds: z.array(notificationDestinationId).default([]),
            pagerdutyIds: z.array(notificationDestinationId).default([]),
        })
        .default({ emails: [], webhookIds: [], pagerdutyIds: [] }),
    trueClientIp: z.boolean().default(TRUE_CLIENT_IP_DEFAULT),
    managedTransforms: z
        .strictObject({
            request: z.array(managedTransformId).default([]),
            response: z.array(managedTransformId).default([]),
        })
        .default({ request: [], response: [] }),
    edgeAuth: z
        .strictObject({
            headerName: z
                .string()
                .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1–64 letters, digits, - or _")
                .refine((name) => !/^(x-)?cf-/i.test(name), "must not start with cf- or x-cf- (Cloudflare refuses to set those headers)")
                .refine(
                    (name) => !RESERVED_HEADERS.has(name.toLowerCase()),
                    `must not be ${[...RESERVED_HEADERS].join(", ")}: Host would replace the probes' Host header, and Cloudflare refuses to set the visitor-IP headers`,
                )
                .default(EDGE_AUTH_HEADER_DEFAULT),
            active: z.enum(["a", "b"], { error: 'must be "a" or "b"' }).default("a"),
            rotation: z
                .strictObject({ a: z.int().min(0).default(0), b: z.int().min(0).default(0) })
                .default({ a: 0, b: 0 }),
            existingRulesetId: cloudflareId.optional(),
        })
        .optional(),
});

/** Top-level keys whose values are plain strings; Pulumi hands every other value as JSON. */
const STRING_KEYS = new Set(["accountId", "zoneId", "zone"]);

// ------------------------------------------------------------------- parsing

/** Parses and validates the stack's config; never throws for bad config. */
export function parseStackConfig(raw: RawStackConfig): ParseResult {
    const input = namespaceValues(raw.values);
    const issues: ConfigIssue[] = [...checkApiToken(raw), ...checkNamespaces(raw)];
    const parsed = stackConfigSchema.safeParse(input, { reportInput: true });
    if (!parsed.success) issues.push(...parsed.error.issues.flatMap(describeZodIssue));
    issues.push(...crossCheck(input));
    if (issues.length > 0) return { ok: false, issues: dedupe(issues) };
    const config = parsed.data!;
    const apps = config.apps.map((a) => ({ ...a, lbHostname: a.lbHostname ?? defaultLbHostname(a.hostname, config.zone) }));
    // A shared pool's monitor probes as one hostname; by default the first one it serves.
    const sharedMonitorHost = config.cequence.sharedPool
        ? (config.cequence.monitor.host ?? apps.find(hasLoadBalancer)?.hostname)
        : undefined;
    const monitor = sharedMonitorHost === undefined ? config.cequence.monitor : { ...config.cequence.monitor, host: sharedMonitorHost };
    // One notification per address, however often it is listed.
    const alerts = {
        emails: uniqueEmails(config.alerts.emails),
        webhookIds: unique(config.alerts.webhookIds),
        pagerdutyIds: unique(config.alerts.pagerdutyIds),
    };
    return { ok: true, config: { ...config, cequence: { ...config.cequence, monitor }, apps, alerts } };
}

/** One line per issue, `path: message`, for errors and the plan's output. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
    return issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
}

function namespaceValues(values: Record<string, string>): Record<string, unknown> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        input[name] = STRING_KEYS.has(name) ? value : parseJsonOrKeep(value);
    }
    return input;
}

function parseJsonOrKeep(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/**
 * Keys of this project written in another namespace (`cequence:accountId`,
 * `cloudflare:zoneId`), or a nested key written as if its parent were the
 * namespace (`cequence:hostname`): Pulumi hands them over as they are and the
 * program would never read them, so they are refused with the key to write.
 */
function checkNamespaces(raw: RawStackConfig): ConfigIssue[] {
    const topLevel = knownKeysAt([]);
    return Object.keys(raw.values).flatMap((key) => {
        const separator = key.lastIndexOf(":");
        const namespace = key.slice(0, separator);
        const name = key.slice(separator + 1);
        if (separator < 0 || namespace === CONFIG_NAMESPACE || !looksLikeOurs(namespace)) return [];
        const hint = (text: string) => [{ path: key, message: `is not read: the project's keys are in the ${CONFIG_NAMESPACE} namespace; ${text}` }];
        if (topLevel.includes(name)) return hint(`write ${CONFIG_NAMESPACE}:${name}`);
        if (topLevel.includes(namespace) && knownKeysAt([namespace]).includes(name)) {
            return hint(`write ${name} inside ${CONFIG_NAMESPACE}:${namespace} (${CONFIG_NAMESPACE}:${namespace}: { ${name}: … })`);
        }
        return [];
    });
}

/**
 * Namespaces a user may have meant for this project's: Cloudflare's provider
 * (which has none of these keys), anything naming Cequence, or a misspelling.
 * Other providers keep their own keys, `gcp:zone` among them.
 */
function looksLikeOurs(namespace: string): boolean {
    const lower = namespace.toLowerCase();
    return lower === "cloudflare" || lower.includes("cequence") || editDistance(lower, CONFIG_NAMESPACE) <= 3;
}

function checkApiToken(raw: RawStackConfig): ConfigIssue[] {
    if (!(API_TOKEN_KEY in raw.values) || raw.secretKeys.includes(API_TOKEN_KEY)) return [];
    return [
        {
            path: API_TOKEN_KEY,
            message:
                "is stored in plain text in the stack file; remove it and run `pulumi config set --secret cloudflare:apiToken`, or set CLOUDFLARE_API_TOKEN in the environment",
        },
    ];
}

function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((text, part) => {
        if (typeof part === "number") return `${text}[${part}]`;
        return text === "" ? String(part) : `${text}.${String(part)}`;
    }, "");
}

function describeZodIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
    const at = (extra: PropertyKey[] = []) => formatPath([...issue.path, ...extra]);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => ({
            path: at([key]),
            message: `unknown key${suggestion(key, knownKeysAt(issue.path))}`,
        }));
    }
    if (issue.code === "invalid_type") {
        if (issue.input === undefined) return [{ path: at(), message: "is required" }];
        return [{ path: at(), message: `must be ${article(issue.expected)}, got ${describeValue(issue.input)}` }];
    }
    if (issue.code === "too_small" || issue.code === "too_big") {
        const bound = issue.code === "too_small" ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
        if (issue.origin === "array") return [{ path: at(), message: issue.message }];
        return [{ path: at(), message: `must be ${bound}, got ${describeValue(issue.input)}` }];
    }
    return [{ path: at(), message: issue.message }];
}

function article(expected: string): string {
    if (expected === "int") return "a whole number";
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "an object";
    return `${typeof value} ${JSON.stringify(value)}`;
}

/** The keys the object at `path` accepts, read from the schema, for "did you mean" hints. */
function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
    let schema: z.core.$ZodType | undefined = stackConfigSchema;
    for (const part of path) {
        schema = unwrap(schema);
        const def = schema?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType } | undefined;
        schema = typeof part === "number" ? def?.element : def?.shape?.[String(part)];
    }
    const shape = (unwrap(schema)?._zod.def as { shape?: object } | undefined)?.shape;
    return shape ? Object.keys(shape) : [];
}

/** Looks through optional, default and transform wrappers to the schema underneath. */
function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
    let current = schema;
    for (;;) {
        const def = current?._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
        if (def?.innerType) current = def.innerType;
        else if (def?.type === "pipe" && def.in) current = def.in;
        else return current;
    }
}

function suggestion(key: string, known: readonly string[]): string {
    const close = known
        .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
        .filter(({ distance }) => distance <= 2)
        .sort((a, b) => a.distance - b.distance)[0];
    const valid = known.length > 0 ? `; valid keys: ${known.join(", ")}` : "";
    return close ? ` (did you mean "${close.candidate}"?)${valid}` : valid;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length]!;
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
    const seen = new Set<string>();
    return issues.filter((i) => {
        const key = `${i.path}\0${i.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}

// -------------------------------------------------------- cross-key checks

/** A hostname field's normalised value, or undefined when it is absent or ill-formed (reported elsewhere). */
function hostnameAt(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    const name = normaliseHostname(value);
    return isDnsHostname(name) ? name : undefined;
}

function field(value: unknown, key: string): unknown {
    return value !== null && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, unknown>)[key]
        : undefined;
}

/**
 * Checks between keys: zones, loops and duplicates. Runs on the raw input so
 * that these are reported together with per-key errors, using only the
 * fields that are individually well formed.
 */
function crossCheck(input: Record<string, unknown>): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const zone = hostnameAt(input.zone);
    const cequenceHostname = hostnameAt(field(input.cequence, "hostname"));
    const apps = Array.isArray(input.apps) ? input.apps : [];
    const publicOwner = new Map<string, number>();
    const lbOwner = new Map<string, number>();
    const originOwner = new Map<string, number>();

    apps.forEach((entry, index) => {
        const path = (key: string) => `apps[${index}].${key}`;
        const host = hostnameAt(field(entry, "hostname"));
        const origin = hostnameAt(field(entry, "origin"));
        const explicitLb = hostnameAt(field(entry, "lbHostname"));
        const derivedLb = explicitLb === undefined && host && zone ? defaultLbHostname(host, zone) : undefined;
        const lb = explicitLb ?? derivedLb;
        const add = (key: string, message: string) => issues.push({ path: path(key), message });
        const derivedProblem = derivedLb === undefined ? undefined : dnsLengthProblem(derivedLb);
        if (derivedProblem) {
            add("hostname", `${host}: its derived load balancer hostname ${derivedLb} ${derivedProblem}; set ${path("lbHostname")} to a shorter name in the zone`);
        }

        if (host && zone && !isInZone(host, zone)) add("hostname", `${host} is not in the zone ${zone}`);
        if (explicitLb && zone && !isInZone(explicitLb, zone))
            add("lbHostname", `${explicitLb} is not in the zone ${zone}; a load balancer's hostname must be in its zone`);
        if (host && host === origin)
            add("origin", `is the public hostname itself (${host}); the CNAME would point at itself`);
        if (host && host === lb) add("lbHostname", `is the public hostname itself (${host}); the CNAME would point at itself`);
        if (host && host === cequenceHostname)
            add("hostname", `is the Cequence hostname (cequence.hostname); traffic would loop between Cloudflare and Cequence`);
        if (origin && origin === cequenceHostname)
            add("origin", `is the Cequence hostname (cequence.hostname); traffic would never reach the application`);

        if (origin !== undefined && !originOwner.has(origin)) originOwner.set(origin, index);
        if (host !== undefined) {
            const owner = publicOwner.get(host);
            if (owner !== undefined) add("hostname", `${host} is already the hostname of apps[${owner}]`);
            else publicOwner.set(host, index);
        }
        if (lb !== undefined) {
            const owner = lbOwner.get(lb);
            if (owner !== undefined) add("lbHostname", `${lb} is already the load balancer hostname of apps[${owner}]`);
            else lbOwner.set(lb, index);
        }
    });

    issues.push(...checkManagedTransforms(input), ...checkSharedMonitorHost(input));

    // Cloudflare proxies the stack's public and LB hostnames: an origin that is one of them sends
    // the pool's traffic back into Cloudflare, round and round.
    apps.forEach((entry, index) => {
        const origin = hostnameAt(field(entry, "origin"));
        if (origin === undefined) return;
        const add = (message: string) => issues.push({ path: `apps[${index}].origin`, message });
        const publicIndex = publicOwner.get(origin);
        if (publicIndex !== undefined && publicIndex !== index)
            add(`${origin} is the public hostname of apps[${publicIndex}]; traffic would loop back through Cloudflare`);
        const lbIndex = lbOwner.get(origin);
        if (lbIndex !== undefined) add(`${origin} is the load balancer hostname of apps[${lbIndex}]; traffic would loop back through Cloudflare`);
    });

    // A load balancer takes precedence over any DNS record of the same name, so its hostname must be
    // no other name the stack relies on: it would capture that name's traffic, whatever the routing.
    lbOwner.forEach((index, lb) => {
        const add = (message: string) => issues.push({ path: `apps[${index}].lbHostname`, message });
        const publicIndex = publicOwner.get(lb);
        if (publicIndex !== undefined && publicIndex !== index) add(`${lb} is the public hostname of apps[${publicIndex}]`);
        const originIndex = originOwner.get(lb);
        if (originIndex !== undefined)
            add(`${lb} is the origin of apps[${originIndex}]; a load balancer takes over the DNS record of its name, so the origin would loop back into the load balancer`);
        if (lb === cequenceHostname) add(`${lb} is the Cequence hostname (cequence.hostname); the load balancer would take over its DNS record`);
        if (lb === zone && publicIndex === undefined)
            add(`${lb} is the zone apex, and no app is the apex; the load balancer would take over the apex, usually the main site`);
    });
    return issues;
}

function checkSharedMonitorHost(input: Record<string, unknown>): ConfigIssue[] {
    const host = field(field(input.cequence, "monitor"), "host");
    if (host === undefined || field(input.cequence, "sharedPool") === true) return [];
    return [
        {
            path: "cequence.monitor.host",
            message: `${JSON.stringify(host)} only applies with cequence.sharedPool: true; each app's own Cequence monitor sends the app's public hostname as Host`,
        },
    ];
}

function checkManagedTransforms(input: Record<string, unknown>): ConfigIssue[] {
    const transforms = input.managedTransforms;
    const listed = (["request", "response"] as const).some((side) => {
        const ids = field(transforms, side);
        return Array.isArray(ids) && ids.length > 0;
    });
    // Pulumi passes a declared default (empty lists) to every stack, so only non-empty lists count as asked for.
    if (!listed) return [];
    if (input.trueClientIp !== true) {
        return [{ path: "managedTransforms", message: "only applies with trueClientIp: true (the stack manages the zone's managed transforms only then); remove it or set trueClientIp" }];
    }
    return (["request", "response"] as const).flatMap((side) => {
        const ids = field(transforms, side);
        if (!Array.isArray(ids)) return [];
        return ids.flatMap((id, index) =>
            id === CONFLICTS_WITH_TRUE_CLIENT_IP
                ? [{ path: `managedTransforms.${side}[${index}]`, message: `${CONFLICTS_WITH_TRUE_CLIENT_IP} cannot be on together with ${TRUE_CLIENT_IP_TRANSFORM} (trueClientIp: true); Cloudflare refuses the pair` }]
                : [],
        );
    });
}
