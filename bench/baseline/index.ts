/**
 * The benchmark's floor: the very Cloudflare resources the real program
 * registers, with the same inputs and options, declared directly. No
 * components, no config validation, no stack outputs. It trusts its config
 * to be valid and normalised, as the benchmark's generated configs are.
 *
 * tests/benchBaseline.test.ts fails when the program registers anything this
 * does not; whoever adds a resource to the program adds it here too.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import {
    CEQUENCE_ENABLED_DEFAULT,
    FAILOVER_ACROSS_POOLS_DEFAULT,
    MONITOR_DEFAULTS,
    PROXIED_TTL,
    ROUTING_DEFAULT,
    TRAFFIC_PERCENT_DEFAULT,
    type MonitorSettings,
} from "../../components/defaults";
import { defaultLbHostname, DESCRIPTIONS, POOL_ORIGIN_NAMES, poolName } from "../../components/naming";
import { optionalInput } from "../../components/optionalInput";

interface AppEntry {
    hostname: string;
    origin: string;
    lbHostname?: string;
    routing?: "loadBalancer" | "origin" | "cequence";
    existingRecordId?: string;
    monitor?: Partial<MonitorSettings>;
}

const config = new pulumi.Config();
const stack = pulumi.getStack();
const accountId = config.require("accountId");
const zoneId = config.require("zoneId");
const zone = config.require("zone");
const cequence = config.requireObject<{
    hostname: string;
    enabled?: boolean;
    failoverAcrossPools?: boolean;
    trafficPercent?: number;
    monitor?: Partial<MonitorSettings>;
}>("cequence");
const cequencePercent = cequence.trafficPercent ?? TRAFFIC_PERCENT_DEFAULT;

function monitoredPool(
    name: string,
    pool: { name: string; originName: string; address: string; publicHostname: string; description: string; enabled: boolean },
    partial: Partial<MonitorSettings> | undefined,
): cloudflare.LoadBalancerPool {
    const settings = { ...MONITOR_DEFAULTS, ...partial };
    const monitor = new cloudflare.LoadBalancerMonitor(`${name}-monitor`, {
        accountId,
        description: pool.description,
        type: "https",
        method: "GET",
        path: settings.path,
        header: { Host: [pool.publicHostname] },
        expectedCodes: settings.expectedCodes,
        interval: settings.interval,
        timeout: settings.timeout,
        retries: settings.retries,
        consecutiveUp: settings.consecutiveUp,
        consecutiveDown: settings.consecutiveDown,
        followRedirects: false,
        allowInsecure: false,
    });
    return new cloudflare.LoadBalancerPool(`${name}-pool`, {
        accountId,
        name: pool.name,
        description: pool.description,
        enabled: pool.enabled,
        minimumOrigins: 1,
        monitor: monitor.id,
        origins: [{ name: pool.originName, address: pool.address, enabled: true, weight: 1 }],
    });
}

for (const app of config.requireObject<AppEntry[]>("apps")) {
    const routing = app.routing ?? ROUTING_DEFAULT;
    let target: pulumi.Input<string> = cequence.hostname;
    if (routing !== "cequence") {
        const cequencePool = monitoredPool(
            `${app.hostname}-cequence`,
            {
                name: poolName("cequence", stack, app.hostname),
                originName: POOL_ORIGIN_NAMES.cequence,
                address: cequence.hostname,
                publicHostname: app.hostname,
                description: DESCRIPTIONS.pool("cequence", app.hostname),
                enabled: cequence.enabled ?? CEQUENCE_ENABLED_DEFAULT,
            },
            cequence.monitor,
        );
        const originPool = monitoredPool(
            `${app.hostname}-origin`,
            {
                name: poolName("origin", stack, app.hostname),
                originName: POOL_ORIGIN_NAMES.origin,
                address: app.origin,
                publicHostname: app.hostname,
                description: DESCRIPTIONS.pool("origin", app.hostname),
                enabled: true,
            },
            app.monitor,
        );
        const loadBalancer = new cloudflare.LoadBalancer(
            `${app.hostname}-lb`,
            {
                zoneId,
                name: app.lbHostname ?? defaultLbHostname(app.hostname, zone),
                description: DESCRIPTIONS.loadBalancer(app.hostname),
                proxied: true,
                steeringPolicy: cequencePercent < 100 ? "random" : "off",
                randomSteering: optionalInput(pulumi
                    .all([cequencePool.id, originPool.id])
                    .apply(([cequenceId, originId]) =>
                        cequencePercent < 100
                            ? { poolWeights: { [cequenceId]: cequencePercent / 100, [originId]: (100 - cequencePercent) / 100 } }
                            : undefined,
                    )),
                adaptiveRouting: { failoverAcrossPools: cequence.failoverAcrossPools ?? FAILOVER_ACROSS_POOLS_DEFAULT },
                defaultPools: [cequencePool.id, originPool.id],
                fallbackPool: originPool.id,
            },
            { protect: routing === "loadBalancer" },
        );
        target = routing === "loadBalancer" ? loadBalancer.name : app.origin;
    }
    new cloudflare.DnsRecord(
        `${app.hostname}-record`,
        { zoneId, name: app.hostname, type: "CNAME", content: target, proxied: true, ttl: PROXIED_TTL },
        {
            protect: true,
            retainOnDelete: true,
            import: app.existingRecordId === undefined ? undefined : `${zoneId}/${app.existingRecordId}`,
        },
    );
}
