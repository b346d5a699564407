/**
 * The stack: for each protected hostname, the guide's Cequence pool, origin
 * pool, failover load balancer and CNAME cutover; for the zone and account,
 * the optional edge authentication, alerts and True-Client-IP. It reads
 * config and composes the components; all behaviour lives in `components/`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import {
    AppOriginPool,
    CequencePool,
    CnameCutover,
    EdgeAuth,
    FailOpenAlerts,
    FailoverLoadBalancer,
    TrueClientIp,
    worstCaseFailOpenSeconds,
} from "./components";
import { assertBuildIsCurrent } from "./config/build";
import { cnameTarget, edgeAuthRuleRef, poolName, sharedCequencePoolName } from "./config/naming";
import { loadStackConfig } from "./config/pulumi";
import { configWarnings } from "./config/warnings";
import type { AppConfig } from "./config/schema";

assertBuildIsCurrent(__filename);
const config = loadStackConfig();
const stack = pulumi.getStack();

const edgeAuthentication = config.edgeAuth
    ? new EdgeAuth("edge-auth", {
          zoneId: config.zoneId,
          publicHostnames: config.apps.map((app) => app.hostname),
          headerName: config.edgeAuth.headerName,
          activeSlot: config.edgeAuth.active,
          rotationA: config.edgeAuth.rotation.a,
          rotationB: config.edgeAuth.rotation.b,
          existingRulesetId: config.edgeAuth.existingRulesetId,
          ruleRef: edgeAuthRuleRef(stack),
      })
    : undefined;
// Probes skip transform rules, so the monitors send the header themselves.
const probeAuth =
    config.edgeAuth && edgeAuthentication
        ? { authHeaderName: config.edgeAuth.headerName, authHeaderValue: edgeAuthentication.activeSecret }
        : {};

interface PoolEndpoints {
    pool: string;
    healthApiUrl: pulumi.Output<string>;
    probeUrl: pulumi.Output<string>;
}

interface ProtectedApp {
    hostname: string;
    cnameTarget: string;
    lbHostname?: string;
    cequencePoolId?: pulumi.Output<string>;
    pools?: { cequence: PoolEndpoints; origin: PoolEndpoints };
}

// `host` is the shared monitor's Host header, not a monitor setting of its own.
const { host: sharedMonitorHost, ...cequenceMonitor } = config.cequence.monitor;
const cequencePoolArgs = {
    accountId: config.accountId,
    cequenceHostname: config.cequence.hostname,
    port: config.cequence.port,
    enabled: config.cequence.enabled,
    monitor: cequenceMonitor,
    ...probeAuth,
};

/**
 * With `cequence.sharedPool`, the stack's one Cequence pool, pool 1 of every
 * load balancer. Each load balancer's pools are inputs taken from this pool's
 * ID, so when a stack switches between per-app and shared pools, Pulumi
 * creates the new pool before it updates any load balancer to point at it, and
 * deletes the old pools only at the end of the update, once nothing points at
 * them: no hostname is ever left without its pools.
 */
const sharedCequence =
    config.cequence.sharedPool && sharedMonitorHost !== undefined
        ? {
              name: sharedCequencePoolName(stack),
              pool: new CequencePool("cequence-shared", {
                  ...cequencePoolArgs,
                  publicHostname: sharedMonitorHost,
                  poolName: sharedCequencePoolName(stack),
                  description: `Cequence UAP in line for every hostname of stack ${stack}`,
              }),
          }
        : undefined;

function cutOver(app: AppConfig, target: pulumi.Input<string>): void {
    new CnameCutover(`${app.hostname}-cutover`, {
        zoneId: config.zoneId,
        hostname: app.hostname,
        target,
        existingRecordId: app.existingRecordId,
    });
}

function protectApp(app: AppConfig): ProtectedApp {
    if (app.routing === "cequence") {
        // Appendix A: Cequence in line without a load balancer, so without fail-open.
        const target = cnameTarget(app, config.cequence.hostname);
        cutOver(app, target);
        return { hostname: app.hostname, cnameTarget: target };
    }
    const names = {
        cequence: sharedCequence?.name ?? poolName("cequence", stack, app.hostname),
        origin: poolName("origin", stack, app.hostname),
    };
    const cequence =
        sharedCequence?.pool ??
        new CequencePool(`${app.hostname}-cequence`, { ...cequencePoolArgs, publicHostname: app.hostname, poolName: names.cequence });
    const origin = new AppOriginPool(`${app.hostname}-origin`, {
        accountId: config.accountId,
        originHostname: app.origin,
        publicHostname: app.hostname,
        poolName: names.origin,
        monitor: app.monitor,
        ...probeAuth,
    });
    const loadBalancer = new FailoverLoadBalancer(
        `${app.hostname}-failover`,
        {
            zoneId: config.zoneId,
            hostname: app.lbHostname,
            cequencePoolId: cequence.poolId,
            originPoolId: origin.poolId,
            publicHostname: app.hostname,
            failoverAcrossPools: config.cequence.failoverAcrossPools,
            cequenceTrafficPercent: config.cequence.trafficPercent,
        },
        // While the public CNAME points at it, deleting the LB would leave the hostname dangling.
        { protect: app.routing === "loadBalancer" },
    );
    const target = cnameTarget(app, config.cequence.hostname);
    // Pointing at the LB's output makes the cutover wait until the LB exists.
    cutOver(app, app.routing === "loadBalancer" ? loadBalancer.hostname : target);
    const endpoints = (pool: CequencePool | AppOriginPool, name: string): PoolEndpoints => ({
        pool: name,
        healthApiUrl: pool.healthApiUrl,
        probeUrl: pool.probeUrl,
    });
    return {
        hostname: app.hostname,
        cnameTarget: target,
        lbHostname: app.lbHostname,
        cequencePoolId: cequence.poolId,
        pools: { cequence: endpoints(cequence, names.cequence), origin: endpoints(origin, names.origin) },
    };
}

const apps = config.apps.map(protectApp);
// A shared pool is every app's: the alerts watch it once.
const cequencePoolIds = [...new Set(apps.flatMap((app) => (app.cequencePoolId ? [app.cequencePoolId] : [])))];

const alertTargets = [...config.alerts.emails, ...config.alerts.webhookIds, ...config.alerts.pagerdutyIds];
if (alertTargets.length > 0 && cequencePoolIds.length > 0) {
    new FailOpenAlerts("alerts", { accountId: config.accountId, cequencePoolIds, label: `cloudflare-cequence ${stack}`, ...config.alerts });
}

if (config.trueClientIp) {
    new TrueClientIp("true-client-ip", {
        zoneId: config.zoneId,
        keepRequestTransforms: config.managedTransforms.request,
        keepResponseTransforms: config.managedTransforms.response,
    });
}

for (const warning of configWarnings(config)) void pulumi.log.warn(warning);
const worstFailOpen = worstCaseFailOpenSeconds(config.cequence.monitor);

const ipRanges = cloudflare.getIpRangesOutput();

function byHostname<T>(pick: (app: ProtectedApp) => T | undefined): Record<string, T> {
    return Object.fromEntries(apps.flatMap((app) => {
        const value = pick(app);
        return value === undefined ? [] : [[app.hostname, value]];
    }));
}

/** Public hostname → load balancer hostname, for each app with a load balancer. */
export const loadBalancers = byHostname((app) => app.lbHostname);
/** Public hostname → where its CNAME points. */
export const routing = byHostname((app) => app.cnameTarget);
/** Public hostname → each pool's name, Cloudflare health API URL and monitor probe URL. */
export const poolHealthEndpoints = byHostname((app) => app.pools);
/** Public hostname → worst-case seconds before its traffic fails open to the origin when Cequence is down. */
export const failOpenSeconds = byHostname((app) => (app.pools ? worstFailOpen : undefined));
/** Cloudflare's IP ranges: the only sources Cequence should accept (guide, appendix E). */
export const cloudflareIpRanges = { ipv4: ipRanges.ipv4Cidrs, ipv6: ipRanges.ipv6Cidrs };
/** The edge-authentication header's name and the slot Cloudflare sends now. */
export const edgeAuth = edgeAuthentication
    ? { headerName: edgeAuthentication.headerName, active: edgeAuthentication.activeSlot }
    : undefined;
/** Both edge-authentication secrets, for Cequence and the origin (Pulumi secrets). */
export const edgeAuthSecrets = edgeAuthentication
    ? pulumi.secret({ a: edgeAuthentication.secretA, b: edgeAuthentication.secretB })
    : undefined;
