/**
 * The guide's invariants as CrossGuard resource policies. This module only
 * describes them; `index.ts` serves them as a policy pack, so tests can import
 * and call these without starting a policy server.
 *
 * The rules read the raw inputs by Cloudflare type token rather than through
 * `@pulumi/cloudflare` classes, so the pack works with whichever provider
 * version the checked stack uses.
 */
import type { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { RESOURCE_TYPES } from "./resourceTypes";


/** Every policy here validates one resource at a time with a single function. */
export type CequencePolicy = ResourceValidationPolicy & { validateResource: ResourceValidation };

type Props = Record<string, unknown>;

/** Steering policies that keep `defaultPools` order meaningful: failover, or a weighted rollout. */
const ALLOWED_STEERING = ["off", "random"] as const;

/** Cloudflare's "automatic" TTL, the only one a proxied record accepts. */
export const AUTOMATIC_TTL = 1;

/**
 * A mandatory rule over the inputs of the resources of `types`; `check`
 * returns a problem to report, or undefined. Levels are overridable per rule
 * through the pack's config, as for any CrossGuard policy.
 */
function rule(
    name: string,
    description: string,
    types: readonly string[],
    check: (props: Props) => string | undefined,
): CequencePolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: (args, reportViolation) => {
            if (!types.includes(args.type)) return;
            const problem = check(args.props);
            if (problem !== undefined) reportViolation(problem);
        },
    };
}

const show = (value: unknown) => (value === undefined ? "not set" : JSON.stringify(value));

// Health-check headers and status codes exist only for HTTP(S) monitors; Cloudflare's default type is http.
function isHttpMonitor(props: Props): boolean {
    return props.type === undefined || props.type === "http" || props.type === "https";
}

function isProxiedCname(props: Props): boolean {
    return props.type === "CNAME" && props.proxied === true;
}

const DNS_RECORD_TYPES = [RESOURCE_TYPES.dnsRecord, RESOURCE_TYPES.legacyRecord];

export const policies: readonly CequencePolicy[] = [
    rule(
        "load-balancer-proxied",
        "A load balancer in front of Cequence is proxied, so traffic passes through Cloudflare on its way to Cequence.",
        [RESOURCE_TYPES.loadBalancer],
        (lb) =>
            lb.proxied === true
                ? undefined
                : `proxied is ${show(lb.proxied)}; set proxied: true (a DNS-only load balancer hands clients the pool addresses, bypassing Cloudflare)`,
    ),
    rule(
        "load-balancer-failover-steering",
        'A load balancer in front of Cequence steers "off" (failover in pool order, guide step 4), or "random" during a rollout.',
        [RESOURCE_TYPES.loadBalancer],
        (lb) =>
            (ALLOWED_STEERING as readonly unknown[]).includes(lb.steeringPolicy)
                ? undefined
                : `steeringPolicy is ${show(lb.steeringPolicy)}; set it to "off" (failover: Cequence first, the origin last) or "random" for a gradual rollout`,
    ),
    rule(
        "load-balancer-fails-open-to-origin",
        "A load balancer's fallback pool is the last of its default pools: the application origin, where traffic fails open.",
        [RESOURCE_TYPES.loadBalancer],
        (lb) => {
            const pools = Array.isArray(lb.defaultPools) ? lb.defaultPools : [];
            const last: unknown = pools[pools.length - 1];
            if (last !== undefined && lb.fallbackPool === last) return undefined;
            return `fallbackPool is ${show(lb.fallbackPool)} but the last of defaultPools ${show(lb.defaultPools)} is ${show(last)}; when every pool is unhealthy, traffic must fail open to the application origin, the last pool`;
        },
    ),
    rule(
        "load-balancer-rules-fail-open-to-origin",
        "A load balancer rule that chooses pools ends them with the application origin, the load balancer's fallback pool, and falls back to it: matching traffic sent through Cequence still fails open.",
        [RESOURCE_TYPES.loadBalancer],
        (lb) => {
            const rules = Array.isArray(lb.rules) ? (lb.rules as Props[]) : [];
            const problems = rules.flatMap((rule, index) => {
                const overrides = (rule.overrides ?? {}) as Props;
                const pools = Array.isArray(overrides.defaultPools) ? overrides.defaultPools : [];
                // A rule that keeps the load balancer's pools and fallback (or answers itself) fails open as the load balancer does.
                if (pools.length === 0 && overrides.fallbackPool === undefined) return [];
                const fallback = overrides.fallbackPool ?? lb.fallbackPool;
                const last: unknown = pools[pools.length - 1];
                if (fallback === lb.fallbackPool && (pools.length === 0 || last === lb.fallbackPool)) return [];
                return [
                    `rules[${index}] sends the requests it matches to ${show(pools)} with fallback ${show(fallback)}; end its defaultPools with the application origin, the load balancer's fallbackPool ${show(lb.fallbackPool)}, and fall back to it, so that they still fail open when Cequence is down`,
                ];
            });
            return problems.length === 0 ? undefined : problems.join("; ");
        },
    ),
    rule(
        "pool-has-monitor",
        "Every pool has a health monitor; without one Cloudflare never marks Cequence unhealthy, and never fails open.",
        [RESOURCE_TYPES.pool],
        (pool) =>
            typeof pool.monitor === "string" && pool.monitor !== ""
                ? undefined
                : "has no monitor; attach a LoadBalancerMonitor (monitor: <its id>) so an unhealthy pool is taken out of rotation",
    ),
    rule(
        "monitor-sends-host-header",
        "An HTTP(S) monitor sends a Host header (the public hostname), so the origin and Cequence answer the probe as they answer real traffic.",
        [RESOURCE_TYPES.monitor],
        (monitor) => {
            if (!isHttpMonitor(monitor)) return undefined;
            const headers = (monitor.header ?? {}) as Record<string, unknown>;
            const host = Object.entries(headers).find(([name]) => name.toLowerCase() === "host")?.[1];
            const sendsHost = Array.isArray(host) && host.some((value) => typeof value === "string" && value !== "");
            return sendsHost
                ? undefined
                : `header is ${show(monitor.header)}; set header: { Host: ["<public hostname>"] }`;
        },
    ),
    rule(
        "monitor-explicit-expected-codes",
        "An HTTP(S) monitor states the status codes that count as healthy (expectedCodes), verified with the Cequence account team.",
        [RESOURCE_TYPES.monitor],
        (monitor) =>
            !isHttpMonitor(monitor) || (typeof monitor.expectedCodes === "string" && monitor.expectedCodes !== "")
                ? undefined
                : 'expectedCodes is not set; set it explicitly, e.g. "200" or "2xx"',
    ),
    rule(
        "monitor-never-healthy-on-5xx",
        "An HTTP(S) monitor never counts a 5xx as healthy: a Cequence that answers 5xx must fail open, and an origin that does is down.",
        [RESOURCE_TYPES.monitor],
        (monitor) =>
            !isHttpMonitor(monitor) || typeof monitor.expectedCodes !== "string" || !monitor.expectedCodes.startsWith("5")
                ? undefined
                : `expectedCodes is ${show(monitor.expectedCodes)}; a failing server would stay healthy and in line: expect a 2xx, e.g. "200" or "2xx"`,
    ),
    rule(
        "proxied-cname-automatic-ttl",
        "A proxied CNAME has ttl: 1 (automatic), the only TTL Cloudflare gives a proxied record.",
        DNS_RECORD_TYPES,
        (record) =>
            !isProxiedCname(record) || record.ttl === AUTOMATIC_TTL
                ? undefined
                : `ttl is ${show(record.ttl)}; a proxied record takes ttl: ${AUTOMATIC_TTL} (automatic)`,
    ),
    rule(
        "proxied-cname-no-trailing-dot",
        "A proxied CNAME's target has no trailing dot; Cloudflare strips it, so the stack would show a change on every refresh.",
        DNS_RECORD_TYPES,
        (record) =>
            !isProxiedCname(record) || typeof record.content !== "string" || !record.content.endsWith(".")
                ? undefined
                : `content ${show(record.content)} ends with a dot; write ${show(record.content.slice(0, -1))}`,
    ),
];
