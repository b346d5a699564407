/**
 * The stack's config keys as one zod schema, with the types the program and
 * the tools read taken from it. Parsing (./parse.ts) reports every problem at
 * once, each under its key path.
 */
import * as z from "zod";
import {
    CEQUENCE_ENABLED_DEFAULT,
    CEQUENCE_PORT_DEFAULT,
    FAILOVER_ACROSS_POOLS_DEFAULT,
    ROUTING_DEFAULT,
    TRAFFIC_PERCENT_DEFAULT,
    TRUE_CLIENT_IP_DEFAULT,
    EDGE_AUTH_HEADER_DEFAULT,
    SHARED_POOL_DEFAULT,
    withMonitorDefaults,
    type MonitorSettings,
} from "../components/defaults";
import { MONITOR_LIMITS } from "../components/monitorRules";
import { ROUTINGS } from "../components/naming";
import { isDnsHostname, normaliseHostname } from "./hostnames";

const cloudflareId = z
    .string()
    .regex(/^[0-9a-f]{32}$/, "must be a 32-character lower-case hexadecimal Cloudflare ID");

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

// Cloudflare's rule between interval, timeout and retries is a cross-check (./crossChecks.ts), so that
// it is reported together with the errors of the monitor's other keys.
const originMonitor = z.strictObject(monitorFields("origin")).optional().transform(withMonitorDefaults);

const cequenceMonitor = z
    .strictObject({ ...monitorFields("cequence"), host: hostname.optional() })
    .optional()
    .transform((settings): MonitorSettings & { host?: string } => ({
        ...withMonitorDefaults(settings),
        ...(settings?.host === undefined ? {} : { host: settings.host }),
    }));

const notificationDestinationId = z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, "must be a Cloudflare notification destination ID (Notifications → Destinations)");

const managedTransformId = z.string().regex(/^[a-z0-9_]+$/, "must be a managed transform ID such as add_visitor_location_headers");


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

type SchemaOutput = z.output<typeof stackConfigSchema>;

/** One app to protect, with its `lbHostname` defaulted from its hostname and the zone. */
export type AppConfig = Omit<SchemaOutput["apps"][number], "lbHostname"> & { lbHostname: string };

/** The parsed config: every default applied, including those that depend on other keys. */
export type StackConfig = Omit<SchemaOutput, "apps"> & { apps: AppConfig[] };

/** The Cequence monitor's settings, and the Host a shared pool's monitor sends (`cequence.sharedPool`). */
export type CequenceMonitorSettings = StackConfig["cequence"]["monitor"];
