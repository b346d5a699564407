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
import { expectedCodesProblem, MONITOR_LIMITS, pathProblem, PORT_LIMITS, wholeNumberProblem, type Bounds } from "../components/monitorRules";
import { ROUTINGS, type PoolRole } from "../components/naming";
import { hostnameProblem, isDnsHostname, normaliseHostname } from "../components/hostnames";

const cloudflareId = z
    .string()
    .regex(/^[0-9a-f]{32}$/, "must be a 32-character lower-case hexadecimal Cloudflare ID");

const hostname = z
    .string()
    .overwrite(normaliseHostname)
    .refine(isDnsHostname, { error: (issue) => hostnameProblem(String(issue.input)) });

/**
 * A schema that follows one of the rules the components share
 * (components/monitorRules.ts): the rule's problem, if any, is the issue.
 */
function following<T extends z.ZodType>(schema: T, problem: (value: z.output<T>) => string | undefined) {
    return schema.superRefine((value, ctx) => {
        const message = problem(value);
        if (message !== undefined) ctx.addIssue({ code: "custom", message });
    });
}

const wholeNumber = (bounds: Bounds) => following(z.number(), (value) => wholeNumberProblem(value, bounds));

function monitorFields(role: PoolRole) {
    return {
        path: following(z.string(), pathProblem).optional(),
        expectedCodes: following(z.string(), (codes) => expectedCodesProblem(role, codes)).optional(),
        interval: wholeNumber(MONITOR_LIMITS.interval).optional(),
        timeout: wholeNumber(MONITOR_LIMITS.timeout).optional(),
        retries: wholeNumber(MONITOR_LIMITS.retries).optional(),
        consecutiveUp: wholeNumber(MONITOR_LIMITS.consecutiveUp).optional(),
        consecutiveDown: wholeNumber(MONITOR_LIMITS.consecutiveDown).optional(),
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
    // Each path's own rules, and paths against routing, are cross-checks (./crossChecks.ts): they name sibling entries.
    paths: z.array(z.string()).optional(),
    // After `pulumi state move` brought the app from another stack, that stack's name keeps its pools' names
    // (components/naming.ts poolName), so the move changes nothing in Cloudflare (docs/scale.md).
    poolStack: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be a Pulumi stack name (letters, digits, -, _ and .): the stack the app was moved from")
        .optional(),
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
        port: wholeNumber(PORT_LIMITS).default(CEQUENCE_PORT_DEFAULT),
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
