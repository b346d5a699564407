/**
 * What CequencePool and AppOriginPool share: an HTTPS health monitor and a
 * one-origin pool that it watches. Not a component of its own; each of the two
 * components calls this with itself as parent.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentProblems, isKnown } from "./argumentChecks";
import { CLOUDFLARE_API_BASE, HTTPS_PORT, PROBE_PROTOCOL, withMonitorDefaults } from "./defaults";
import { checkedHostname } from "./hostnames";
import { monitorProblems, PORT_LIMITS, wholeNumberProblem } from "./monitorRules";
import { POOL_ORIGIN_NAMES, type PoolRole } from "./naming";
import { optionalInput } from "./optionalInput";

/**
 * Health-monitor settings; every field is optional and defaults as documented
 * in the README. The components refuse what the stack's config refuses
 * (components/monitorRules.ts), naming the argument.
 */
export interface MonitorArgs {
    /** HTTP path probed on the pool's origin; starts with `/`, no spaces. Default `/`. */
    path?: pulumi.Input<string>;
    /**
     * Status code or range that counts as healthy, e.g. `"200"` or `"2xx"`.
     * Cequence's monitor: 2xx only; the origin's: no 1xx or 5xx. Default `"200"`.
     */
    expectedCodes?: pulumi.Input<string>;
    /**
     * Seconds between probes, 10–3600 (plan minimums: 60 Pro, 15 Business, 10
     * Enterprise), more than `(retries + 1) × timeout`. Default 60.
     */
    interval?: pulumi.Input<number>;
    /** Seconds before a probe times out, 1–10. Default 5. */
    timeout?: pulumi.Input<number>;
    /** Retries after a timed-out probe, 0–5. Default 2. */
    retries?: pulumi.Input<number>;
    /** Healthy probes in a row before the origin is healthy again, 1–10. Default 2. */
    consecutiveUp?: pulumi.Input<number>;
    /** Failed probes in a row before the origin is unhealthy, 1–10. Default 1. */
    consecutiveDown?: pulumi.Input<number>;
}

/** What every monitored pool takes: CequencePoolArgs and AppOriginPoolArgs extend this. */
export interface MonitoredPoolArgs {
    /** Cloudflare account ID (32 hex characters); pools and monitors are account-level. */
    accountId: pulumi.Input<string>;
    /** The protected public hostname, e.g. `www.cq-route.com`; the monitor sends it as the Host header. Normalised (lower case, no trailing dot). */
    publicHostname: pulumi.Input<string>;
    /** Cloudflare pool name: letters, digits, `-` and `_`, unique in the account. */
    poolName: pulumi.Input<string>;
    /** Health-monitor settings (the object, or any field, may be an output); unset fields take the documented defaults. */
    monitor?: pulumi.Input<MonitorArgs>;
    /**
     * Name of a secret header every probe sends (edge authentication), e.g.
     * `X-Edge-Auth`. A plain string: it is a key of the monitor's header map.
     */
    authHeaderName?: string;
    /** The secret header's value; used only with `authHeaderName`. */
    authHeaderValue?: pulumi.Input<string>;
}

export interface MonitoredPoolSpec {
    /** The component, as its argument errors name it: `CequencePool <name>`. */
    component: string;
    /** Which pool: it names the pool's one origin and sets the codes its monitor may count as healthy. */
    role: PoolRole;
    accountId: pulumi.Input<string>;
    /** Cloudflare pool name: letters, digits, `-` and `_`. */
    poolName: pulumi.Input<string>;
    /** The origin's address (a hostname); normalised as the config does it. */
    address: pulumi.Input<string>;
    /** The component's argument that gives `address`, as its argument errors name it: `cequenceHostname`. */
    addressArgument: string;
    /** The port the origin takes traffic on and the monitor probes: the component's `port` argument. */
    port: pulumi.Input<number>;
    /** Sent as the probe's Host header, so the origin answers as it does for real traffic. */
    publicHostname: pulumi.Input<string>;
    description: pulumi.Input<string>;
    enabled: pulumi.Input<boolean>;
    monitor: pulumi.Input<MonitorArgs> | undefined;
    /** An extra header every probe sends (edge authentication); its value is kept secret. */
    authHeader: { name: string; value: pulumi.Input<string> } | undefined;
}

export interface MonitoredPool {
    monitorId: pulumi.Output<string>;
    poolId: pulumi.Output<string>;
    /** Cloudflare's API URL for this pool's health. */
    healthApiUrl: pulumi.Output<string>;
    /** The URL the monitor probes (with the public hostname as Host header). */
    probeUrl: pulumi.Output<string>;
}

export function createMonitoredPool(parent: pulumi.ComponentResource, name: string, spec: MonitoredPoolSpec): MonitoredPool {
    // Every argument known now is checked before anything is registered; one given as an output, as it resolves.
    const problems = new ArgumentProblems(parent, spec.component);
    const address = problems.check(spec.address, (given) => checkedHostname(spec.addressArgument, given));
    const publicHostname = problems.check(spec.publicHostname, (given) => checkedHostname("publicHostname", given));
    const settings = problems.check(spec.monitor ?? {}, (given) => ({
        value: withMonitorDefaults(given),
        problems: monitorProblems(spec.role, given).map((p) => ({ path: `monitor.${p.key}`, message: p.message })),
    }));
    const path = settings.path;
    const port = pulumi.output(
        problems.check(spec.port, (given) => {
            const problem = wholeNumberProblem(given, PORT_LIMITS);
            return { value: given, problems: problem === undefined ? [] : [{ path: "port", message: problem }] };
        }),
    );
    problems.refuseKnown();
    // The monitor takes no address; one that resolves later holds the monitor back until it is checked,
    // so that a refused address registers nothing. A known address was checked above.
    const monitorPath = isKnown(spec.address) ? path : pulumi.all([path, address]).apply(([probePath]) => probePath);
    // HTTPS's own port is left unsent, as the provider asks of monitors ("HTTP and HTTPS checks should only
    // define the port when using a non-standard port": cloudflare/terraform-provider-cloudflare,
    // internal/services/load_balancer_monitor/schema.go at a2efdc57), and so that stacks from before
    // `cequence.port` see no change.
    const explicitPort = port.apply((p) => (p === HTTPS_PORT ? undefined : p));
    const monitor = new cloudflare.LoadBalancerMonitor(
        `${name}-monitor`,
        {
            accountId: spec.accountId,
            description: spec.description,
            ...PROBE_PROTOCOL,
            path: monitorPath,
            port: optionalInput(explicitPort),
            header: probeHeaders(publicHostname, spec.authHeader),
            expectedCodes: settings.expectedCodes,
            interval: settings.interval,
            timeout: settings.timeout,
            retries: settings.retries,
            consecutiveUp: settings.consecutiveUp,
            consecutiveDown: settings.consecutiveDown,
        },
        { parent },
    );
    const pool = new cloudflare.LoadBalancerPool(
        `${name}-pool`,
        {
            accountId: spec.accountId,
            name: spec.poolName,
            description: spec.description,
            enabled: spec.enabled,
            minimumOrigins: 1,
            monitor: monitor.id,
            // One origin, so already sorted by name, which is how the API returns origins.
            origins: pulumi.all([address, explicitPort]).apply(([address, p]) => [originEntry(POOL_ORIGIN_NAMES[spec.role], address, p)]),
        },
        { parent },
    );
    return {
        monitorId: monitor.id,
        poolId: pool.id,
        // One apply each rather than pulumi.interpolate, which makes an output of every part: fewer promises a pool.
        healthApiUrl: pulumi.all([spec.accountId, pool.id]).apply(([accountId, poolId]) => `${CLOUDFLARE_API_BASE}/accounts/${accountId}/load_balancers/pools/${poolId}/health`),
        probeUrl: pulumi.all([address, explicitPort, path]).apply(([address, p, probePath]) => `https://${address}${p === undefined ? "" : `:${p}`}${probePath}`),
    };
}

/**
 * The pool's one origin. Its `port` is sent only when it is not HTTPS's: the
 * provider's `origins[].port` is optional and computed, 0 meaning the
 * protocol's default (internal/services/load_balancer_pool/schema.go at
 * a2efdc57), and an explicit 0 shows a change on every run
 * (https://github.com/cloudflare/terraform-provider-cloudflare/issues/7329).
 * A computed field left unset keeps its last value when nothing else in the
 * resource changes, so going back to 443 from a Bridge's port would change
 * nothing; the origin's name carries a non-default port, so that switch
 * always changes the origin and the provider plans its port afresh.
 */
function originEntry(name: string, address: string, port: number | undefined) {
    const base = { name: port === undefined ? name : `${name}-port-${port}`, address, enabled: true, weight: 1 };
    return port === undefined ? base : { ...base, port };
}

function probeHeaders(host: pulumi.Input<string>, authHeader: MonitoredPoolSpec["authHeader"]): Record<string, pulumi.Input<string>[]> {
    return authHeader ? { Host: [host], [authHeader.name]: [authHeader.value] } : { Host: [host] };
}

/** The probes' edge-authentication header, when a component's args name one. */
export function authHeader(args: MonitoredPoolArgs): MonitoredPoolSpec["authHeader"] {
    if (args.authHeaderName === undefined || args.authHeaderValue === undefined) return undefined;
    return { name: args.authHeaderName, value: pulumi.secret(args.authHeaderValue) };
}
