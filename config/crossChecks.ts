/**
 * Checks between keys: zones, loops, duplicates, names a load balancer
 * would take over, and a monitor's timing. They run on the raw input, so they
 * are reported together with each key's own errors, using only the fields
 * that are well formed.
 */
import { CONFLICTS_WITH_TRUE_CLIENT_IP, ROUTING_DEFAULT, TRUE_CLIENT_IP_TRANSFORM } from "../components/defaults";
import { directRoutingPortProblem } from "../components/routingRules";
import { pathsProblems, pathsRoutingProblem } from "../components/paths";
import { probeTimingProblem } from "../components/monitorRules";
import { defaultLbHostname, isInZone } from "../components/naming";
import { dnsLengthProblem, isDnsHostname, normaliseHostname } from "../components/hostnames";
import type { ConfigIssue } from "./messages";

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
export function crossCheck(input: Record<string, unknown>): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const zone = hostnameAt(input.zone);
    const cequenceHostname = hostnameAt(field(input.cequence, "hostname"));
    const cequencePort = field(input.cequence, "port");
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
        const portProblem = directRoutingPortProblem(String(field(entry, "routing")), typeof cequencePort === "number" ? cequencePort : undefined);
        if (portProblem) add("routing", portProblem);
        issues.push(...checkPaths(entry, path("paths")));
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
    issues.push(...checkProbeTiming(field(input.cequence, "monitor"), "cequence.monitor"));
    apps.forEach((entry, index) => issues.push(...checkProbeTiming(field(entry, "monitor"), `apps[${index}].monitor`)));

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

/**
 * An app's `paths`, once the schema found it a list of strings: each entry,
 * the list, and `routing`, which must be the load balancer's for a rule to
 * choose by path.
 */
function checkPaths(app: unknown, key: string): ConfigIssue[] {
    const paths = field(app, "paths");
    if (paths === undefined) return [];
    const routing = field(app, "routing") ?? ROUTING_DEFAULT;
    const routingProblem = pathsRoutingProblem(typeof routing === "string" ? routing : undefined);
    const wellTyped = Array.isArray(paths) && paths.every((entry) => typeof entry === "string");
    return [...(wellTyped ? pathsProblems(paths, key) : []), ...(routingProblem === undefined ? [] : [{ path: key, message: routingProblem }])];
}

/** Cloudflare's rule between a monitor's interval, timeout and retries, whatever the monitor's other keys hold. */
function checkProbeTiming(monitor: unknown, path: string): ConfigIssue[] {
    const problem = probeTimingProblem({ interval: field(monitor, "interval"), timeout: field(monitor, "timeout"), retries: field(monitor, "retries") });
    return problem === undefined ? [] : [{ path: `${path}.interval`, message: problem }];
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
