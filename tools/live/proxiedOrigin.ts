/**
 * An origin pool must not point at a hostname Cloudflare proxies. Cloudflare's
 * API on a pool origin's `address`: "The IP address (IPv4 or IPv6) of the
 * origin, or its publicly addressable hostname. Hostnames entered here should
 * resolve directly to the origin, and not be a hostname proxied by Cloudflare."
 * (load-balancing_address in the OpenAPI subset, vendor/cloudflare-openapi;
 * https://developers.cloudflare.com/api/resources/load_balancers/subresources/pools/methods/create/).
 * When an app's `origin` is a record of the stack's zone, its `proxied` flag
 * says which. Both `status` and `preflight` report a proxied one, under the
 * config key, with the fix; preflight can run this before the first `up`:
 * {@link findProxiedOrigins} needs only the zone and the origin hostnames.
 */
import { hasLoadBalancer } from "../../components/naming";
import type { StackConfig } from "../../config/schema";
import type { CloudflareRead } from "./cloudflareSession";
import type { LiveRecord } from "./deployment";
import { listRecords, type ListScope } from "./readDeployment";

/** An origin hostname the zone proxies, and the config key that names it. */
export interface ProxiedOriginProblem {
    /** The config key to change, e.g. `apps[0].origin`. */
    key: string;
    message: string;
}

/** The origin hostnames the stack's origin pools use, each with its config key: one per app with a load balancer. */
export function originHostnames(config: Pick<StackConfig, "apps">): Array<{ key: string; hostname: string }> {
    return config.apps.flatMap((app, index) => (hasLoadBalancer(app) ? [{ key: `apps[${index}].origin`, hostname: app.origin }] : []));
}

/** Pure: of `origins`, those that are a proxied A, AAAA or CNAME record in `records` (the zone's, by name), each as a problem with its fix. */
export function proxiedOriginProblems(origins: ReadonlyArray<{ key: string; hostname: string }>, records: ReadonlyMap<string, LiveRecord[]>): ProxiedOriginProblem[] {
    return origins.flatMap(({ key, hostname }) =>
        (records.get(hostname) ?? [])
            .filter((record) => record.proxied)
            .map((record) => ({
                key,
                message:
                    `${hostname} is a proxied ${record.type} record of the zone (→ ${record.content}, ID ${record.id}), and Cloudflare says a pool's origin "should resolve directly to the origin, and not be a hostname proxied by Cloudflare": ` +
                    `make that record DNS-only (proxied: false), or set ${key} to a hostname that is not proxied`,
            })),
    );
}

/**
 * Lists the zone's records and returns the problems of `origins` (for a
 * caller that has not listed them, such as preflight before the first `up`).
 */
export async function findProxiedOrigins(read: CloudflareRead, zone: Pick<ListScope, "zoneId">, origins: ReadonlyArray<{ key: string; hostname: string }>): Promise<ProxiedOriginProblem[]> {
    if (origins.length === 0) return [];
    return proxiedOriginProblems(origins, await listRecords(read, zone));
}
