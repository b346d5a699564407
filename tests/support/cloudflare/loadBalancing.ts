/**
 * Load balancing: monitors and pools (per account), load balancers (per
 * zone), pool health and previews. Where users get bitten:
 * - a pool's origins come back sorted by name, whatever order was sent;
 * - a monitor a pool uses, or a pool a load balancer uses, cannot be deleted;
 * - load balancer names are hostnames: lower-cased, no trailing dot, one per name;
 * - a load balancer's rules each get a priority (the array's order when the
 *   body gives none), a fixed response terminates, and overrides are kept as
 *   sent; a load balancer without rules has no `rules` at all (see {@link heldRules}).
 */
import { ApiError, bodyObject, found, remove, success, wholeList, type Call, type Handler } from "./answers";
import { fillDefaults } from "./schema";
import { newId, storedHostname, timestamp, type Account, type Json, type LoadBalancer, type LoadBalancerRule, type Monitor, type Pool, type Zone } from "./store";

const MONITOR = "/accounts/{account_id}/load_balancers/monitors/{monitor_id}";
const POOL = "/accounts/{account_id}/load_balancers/pools/{pool_id}";
const LOAD_BALANCER = "/zones/{zone_id}/load_balancers/{load_balancer_id}";

// Cloudflare's load-balancing error codes for an ID that names nothing (as observed; the schema lists none).
const MONITOR_NOT_FOUND = { code: 1001, message: "Monitor not found" };
const POOL_NOT_FOUND = { code: 1002, message: "Pool not found" };
const LOAD_BALANCER_NOT_FOUND = { code: 1003, message: "Load balancer not found" };
const PREVIEW_NOT_FOUND = { code: 1004, message: "Preview not found" };
const IN_USE = 1000;

/**
 * What creating each object answers on an account without the Load Balancing
 * add-on: 400 with code 1002, the messages users have reported (Cloudflare
 * documents none): a monitor "interval is not in range [0, 0]"
 * (cloudflare/terraform-provider-cloudflare#871), a pool "Internal error
 * creating or modifying pool. Access Failed." and a load balancer "load
 * balancing not enabled for zone" (JunoPayServer/juno-pay-server,
 * deploy/cloudflare/README.md, 2026-03-28). Reads still answer.
 */
export const WITHOUT_LOAD_BALANCING = Object.freeze({
    monitor: "interval is not in range [0, 0]: validation failed",
    pool: "Internal error creating or modifying pool. Access Failed. Please reach out to Support.: validation failed",
    loadBalancer: "load balancing not enabled for zone: validation failed",
});

function requireLoadBalancing(account: Account, what: keyof typeof WITHOUT_LOAD_BALANCING): void {
    if (!account.loadBalancing) throw new ApiError(400, 1002, WITHOUT_LOAD_BALANCING[what]);
}

/** A new version of an object: what was sent over what stays (PATCH), or only what was sent (PUT, POST). */
function revise<T extends Json>(template: string, sent: Json, previous: T | undefined, merge: boolean): T {
    const now = timestamp();
    const base = merge && previous ? previous : {};
    const next = { ...base, ...sent, id: previous?.id ?? newId(), created_on: previous?.created_on ?? now, modified_on: now } as unknown as T;
    fillDefaults("get", template, next);
    return next;
}

function replace<T extends { id: string }>(items: T[], next: T): T {
    const index = items.findIndex((i) => i.id === next.id);
    items[index] = next;
    return next;
}

// ------------------------------------------------------------------ monitors

function monitorFrom(call: Call, previous: Monitor | undefined, merge: boolean): Monitor {
    return revise<Monitor>(MONITOR, bodyObject(call), previous, merge);
}

const monitorHandlers: Record<string, Handler> = {
    "account-load-balancer-monitors-list-monitors": (call) => wholeList(call.account().monitors),
    "account-load-balancer-monitors-create-monitor": (call) => {
        requireLoadBalancing(call.account(), "monitor");
        const monitor = monitorFrom(call, undefined, false);
        call.account().monitors.push(monitor);
        return success(monitor);
    },
    "account-load-balancer-monitors-monitor-details": (call) => success(found(call.account().monitors, call.params.monitor_id!, MONITOR_NOT_FOUND)),
    "account-load-balancer-monitors-update-monitor": (call) => updateMonitor(call, false),
    "account-load-balancer-monitors-patch-monitor": (call) => updateMonitor(call, true),
    "account-load-balancer-monitors-delete-monitor": (call) => {
        const account = call.account();
        const monitor = found(account.monitors, call.params.monitor_id!, MONITOR_NOT_FOUND);
        const users = account.pools.filter((pool) => pool.monitor === monitor.id).map((pool) => pool.name);
        if (users.length > 0) throw new ApiError(400, IN_USE, `Monitor ${monitor.id} is still referenced by pools: ${users.join(", ")}`);
        remove(account.monitors, monitor.id);
        return success({ id: monitor.id });
    },
    "account-load-balancer-monitors-preview-monitor": (call) => {
        const account = call.account();
        const monitor = found(account.monitors, call.params.monitor_id!, MONITOR_NOT_FOUND);
        return startPreview(account, account.pools.filter((pool) => pool.monitor === monitor.id), bodyObject(call));
    },
};

function updateMonitor(call: Call, merge: boolean) {
    const monitors = call.account().monitors;
    const previous = found(monitors, call.params.monitor_id!, MONITOR_NOT_FOUND);
    return success(replace(monitors, monitorFrom(call, previous, merge)));
}

// ------------------------------------------------------------------ pools

/** Nested settings Cloudflare always returns for a pool; the schema's defaults fill them in. */
const POOL_SETTINGS = ["load_shedding", "origin_steering"];

/**
 * A pool as sent. An origin's `address` "should resolve directly to the
 * origin, and not be a hostname proxied by Cloudflare" (load-balancing_address
 * in the OpenAPI subset): guidance, with no error documented for it, so a
 * proxied hostname is accepted here as the API takes it, and the live tools
 * (tools/live/proxiedOrigin.ts) are what report it.
 */
function poolFrom(call: Call, previous: Pool | undefined, merge: boolean): Pool {
    const account = call.account();
    const sent = bodyObject(call);
    const base = Object.fromEntries(POOL_SETTINGS.map((key) => [key, {}]));
    const pool = revise<Pool>(POOL, merge && previous ? sent : { ...base, ...sent }, previous, merge);
    if (pool.monitor !== undefined && !account.monitors.some((m) => m.id === pool.monitor)) {
        throw new ApiError(400, MONITOR_NOT_FOUND.code, `Monitor ${String(pool.monitor)} does not exist in this account`);
    }
    pool.origins = [...(pool.origins ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return pool;
}

/** Every pool ID a load balancer uses: default, fallback, and per region, PoP and country. */
function poolsUsedBy(lb: LoadBalancer): Set<string> {
    const steering = ["region_pools", "pop_pools", "country_pools"].flatMap((key) => Object.values((lb[key] as Record<string, string[]> | undefined) ?? {}).flat());
    return new Set([...(lb.default_pools ?? []), lb.fallback_pool, ...steering].filter((id) => typeof id === "string"));
}

function zonesOf(call: Call, account: Account): Zone[] {
    return call.state.zones.filter((zone) => zone.accountId === account.id);
}

const poolHandlers: Record<string, Handler> = {
    "account-load-balancer-pools-list-pools": (call) => {
        const monitor = call.query.get("monitor");
        const pools = call.account().pools;
        return wholeList(monitor === null ? pools : pools.filter((pool) => pool.monitor === monitor));
    },
    "account-load-balancer-pools-create-pool": (call) => {
        requireLoadBalancing(call.account(), "pool");
        const pool = poolFrom(call, undefined, false);
        call.account().pools.push(pool);
        return success(pool);
    },
    "account-load-balancer-pools-pool-details": (call) => success(found(call.account().pools, call.params.pool_id!, POOL_NOT_FOUND)),
    "account-load-balancer-pools-update-pool": (call) => updatePool(call, false),
    "account-load-balancer-pools-patch-pool": (call) => updatePool(call, true),
    "account-load-balancer-pools-delete-pool": (call) => {
        const account = call.account();
        const pool = found(account.pools, call.params.pool_id!, POOL_NOT_FOUND);
        const users = zonesOf(call, account).flatMap((zone) => zone.loadBalancers.filter((lb) => poolsUsedBy(lb).has(pool.id)).map((lb) => lb.name));
        if (users.length > 0) throw new ApiError(400, IN_USE, `Pool ${pool.id} is still referenced by load balancers: ${users.join(", ")}`);
        remove(account.pools, pool.id);
        delete account.poolHealth[pool.id];
        return success({ id: pool.id });
    },
    "account-load-balancer-pools-pool-health-details": (call) => {
        const account = call.account();
        const pool = found(account.pools, call.params.pool_id!, POOL_NOT_FOUND);
        const popHealth = Object.fromEntries(
            Object.entries(call.state.regionsOf(account, pool.id)).map(([region, healthy]) => [
                region,
                {
                    healthy,
                    origins: pool.origins.map((origin) => {
                        const probe = call.state.probeOf(account, origin.address);
                        const failureReason = healthy ? "No failures" : probe.healthy ? "HTTP timeout occurred" : probe.failureReason;
                        return { [origin.address]: { healthy, failure_reason: failureReason, response_code: healthy ? probe.responseCode : 0, rtt: probe.rtt } };
                    }),
                },
            ]),
        );
        return success({ pool_id: pool.id, pop_health: popHealth });
    },
    "account-load-balancer-pools-preview-pool": (call) => {
        const account = call.account();
        return startPreview(account, [found(account.pools, call.params.pool_id!, POOL_NOT_FOUND)], bodyObject(call));
    },
    "account-load-balancer-monitors-preview-result": (call) => {
        const account = call.account();
        const preview = account.previews.get(call.params.preview_id!);
        if (!preview) throw new ApiError(404, PREVIEW_NOT_FOUND.code, PREVIEW_NOT_FOUND.message);
        preview.polls += 1;
        if (preview.polls <= call.state.previewPendingPolls) return success({});
        const results = Object.keys(preview.pools).flatMap((poolId) => {
            const pool = account.pools.find((p) => p.id === poolId);
            if (!pool) return [];
            // The probes send the previewed monitor's headers: an origin that requires another answers 403.
            const origins = pool.origins.map((origin) => ({ address: origin.address, probe: call.state.probeOf(account, origin.address, preview.header) }));
            return [
                [
                    poolId,
                    {
                        healthy: origins.every((o) => o.probe.healthy),
                        origins: origins.map(({ address, probe }) => ({
                            // Previews name each origin as a fully qualified name, with the root's dot.
                            [`${address}.`]: { healthy: probe.healthy, failure_reason: probe.failureReason, response_code: probe.responseCode, rtt: probe.rtt },
                        })),
                    },
                ],
            ];
        });
        return success(Object.fromEntries(results));
    },
};

function updatePool(call: Call, merge: boolean) {
    const pools = call.account().pools;
    const previous = found(pools, call.params.pool_id!, POOL_NOT_FOUND);
    return success(replace(pools, poolFrom(call, previous, merge)));
}

/**
 * A preview probes the pools with the monitor settings the request sends
 * (the pool preview's body is a monitor: "Preview pool health using provided
 * monitor details"), its `header` among them: "The HTTP request headers to
 * send in the health check"
 * (https://developers.cloudflare.com/api/resources/load_balancers/subresources/pools/subresources/health/methods/create/).
 */
function startPreview(account: Account, pools: readonly Pool[], monitor: Json) {
    const previewId = newId();
    const names = Object.fromEntries(pools.map((pool) => [pool.id, pool.name]));
    const header = (monitor.header ?? {}) as Record<string, string[]>;
    account.previews.set(previewId, { pools: names, polls: 0, header });
    return success({ preview_id: previewId, pools: names });
}

// ------------------------------------------------------------------ load balancers

/** What Cloudflare always returns for a load balancer, besides the schema's defaults (as observed; the schema's own default for `session_affinity` is ""). */
const LOAD_BALANCER_SERVER_DEFAULTS: Json = { ttl: 30, session_affinity: "none" };
/** Nested settings Cloudflare always returns; the schema's defaults fill them in. */
const LOAD_BALANCER_SETTINGS = ["adaptive_routing", "location_strategy", "random_steering", "session_affinity_attributes"];
const LOAD_BALANCER_MAPS = ["country_pools", "pop_pools", "region_pools"];

/**
 * A load balancer's rules as Cloudflare holds them, from what was sent and
 * what the schema's defaults filled in (`disabled: false`, `priority: 0`), as
 * the API describes `rules[]`
 * (https://developers.cloudflare.com/api/resources/load_balancers/methods/create/)
 * and answers it (a recorded answer of the API: cloudflare/cf-terraforming,
 * testdata/cloudflare/v5/cloudflare_load_balancer.yaml):
 * - "If no value is provided for any rule the array order of the rules field
 *   will be used to assign a priority";
 * - "If a fixed_response is supplied the rule will be marked as terminates";
 *   a rule that does not terminate has no `terminates` in the answer;
 * - `overrides` are "overrides to apply to the load balancer when this rule's
 *   condition is true. All fields are optional": an override present is
 *   applied, so Cloudflare adds none. The defaults the schema gives their
 *   fields (`steering_policy: ""`, `session_affinity: ""`) are the load
 *   balancer's own; filled into an override they would change what it does;
 * - a load balancer without rules answers with no `rules` at all.
 */
function heldRules(sent: Json[], filled: LoadBalancerRule[]): LoadBalancerRule[] | undefined {
    const prioritised = sent.some((rule) => rule.priority !== undefined);
    const rules = sent.map((rule, index): LoadBalancerRule => {
        const { overrides: _defaulted, terminates: _false, ...held } = filled[index]!;
        const terminates = rule.fixed_response !== undefined || rule.terminates === true;
        return {
            ...held,
            ...(rule.overrides === undefined ? {} : { overrides: rule.overrides as Json }),
            priority: prioritised ? held.priority : index,
            ...(terminates ? { terminates } : {}),
        };
    });
    return rules.length === 0 ? undefined : rules;
}

function loadBalancerFrom(call: Call, previous: LoadBalancer | undefined, merge: boolean): LoadBalancer {
    const zone = call.zone();
    const account = call.account();
    const sent = bodyObject(call);
    const base: Json = { ...LOAD_BALANCER_SERVER_DEFAULTS };
    for (const key of LOAD_BALANCER_SETTINGS) base[key] = {};
    for (const key of LOAD_BALANCER_MAPS) base[key] = {};
    // Copied before the schema's defaults are filled in, in place: the rules sent, or those a PATCH keeps.
    const sentRules = Array.isArray(sent.rules) ? (structuredClone(sent.rules) as Json[]) : undefined;
    const keptRules = sentRules === undefined && merge && previous ? structuredClone(previous.rules) : undefined;
    const lb = revise<LoadBalancer>(LOAD_BALANCER, merge && previous ? sent : { ...base, ...sent }, previous, merge);
    const rules = sentRules ? heldRules(sentRules, lb.rules ?? []) : keptRules;
    if (rules) lb.rules = rules;
    else delete lb.rules;
    lb.name = storedHostname(String(lb.name));
    if (zone.loadBalancers.some((other) => other.name === lb.name && other.id !== lb.id)) {
        throw new ApiError(400, 1000, `A load balancer named ${lb.name} already exists in this zone`);
    }
    const unknown = [...poolsUsedBy(lb)].filter((poolId) => !account.pools.some((pool) => pool.id === poolId));
    if (unknown.length > 0) throw new ApiError(400, POOL_NOT_FOUND.code, `Pools do not exist in this account: ${unknown.join(", ")}`);
    return lb;
}

const loadBalancerHandlers: Record<string, Handler> = {
    "load-balancers-list-load-balancers": (call) => wholeList(call.zone().loadBalancers),
    "load-balancers-create-load-balancer": (call) => {
        requireLoadBalancing(call.account(), "loadBalancer");
        const lb = loadBalancerFrom(call, undefined, false);
        call.zone().loadBalancers.push(lb);
        return success(lb);
    },
    "load-balancers-load-balancer-details": (call) => success(found(call.zone().loadBalancers, call.params.load_balancer_id!, LOAD_BALANCER_NOT_FOUND)),
    "load-balancers-update-load-balancer": (call) => updateLoadBalancer(call, false),
    "load-balancers-patch-load-balancer": (call) => updateLoadBalancer(call, true),
    "load-balancers-delete-load-balancer": (call) => {
        const zone = call.zone();
        const lb = found(zone.loadBalancers, call.params.load_balancer_id!, LOAD_BALANCER_NOT_FOUND);
        remove(zone.loadBalancers, lb.id);
        return success({ id: lb.id });
    },
};

function updateLoadBalancer(call: Call, merge: boolean) {
    const lbs = call.zone().loadBalancers;
    const previous = found(lbs, call.params.load_balancer_id!, LOAD_BALANCER_NOT_FOUND);
    return success(replace(lbs, loadBalancerFrom(call, previous, merge)));
}

export const loadBalancingHandlers: Record<string, Handler> = { ...monitorHandlers, ...poolHandlers, ...loadBalancerHandlers };
