/**
 * The stack: one ProtectedHostname per app (the guide's Cequence pool, origin
 * pool, failover load balancer and CNAME cutover, with its safety rules); for
 * the zone and account, the optional shared Cequence pool, edge
 * authentication, alerts and True-Client-IP. It reads config and composes the
 * components; all behaviour lives in `components/`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as cloudflare from "@pulumi/cloudflare";
import { CequencePool, EdgeAuth, FailOpenAlerts, ProtectedHostname, readManagedTransforms, readRequestTransforms, TrueClientIp } from "./components";
import { assertBuildIsCurrent } from "./buildFreshness";
import { DESCRIPTIONS, edgeAuthRuleRef, hasLoadBalancer, legacyEdgeAuthRuleRef, sharedCequencePoolName } from "./components/naming";
import { loadStackConfig } from "./config/pulumi";
import type { AppConfig } from "./config/schema";
import { configWarnings } from "./config/warnings";
import { formerlyTopLevel } from "./stackHistory";

assertBuildIsCurrent(__filename);
const config = loadStackConfig();
const stack = pulumi.getStack();

// The zone's objects the stack shares with others are read and checked before anything is registered,
// and every component waits for that: an update that stops on a check has changed nothing. (The
// components read them again, after the check, for what they write.)
const ruleRefs = { ruleRef: edgeAuthRuleRef(stack), formerRuleRef: legacyEdgeAuthRuleRef(stack) };
const zoneChecked = {
    dependsOn: pulumi
        .all<unknown>([
            config.edgeAuth && readRequestTransforms({ zoneId: config.zoneId, existingRulesetId: config.edgeAuth.existingRulesetId, ...ruleRefs }),
            config.trueClientIp && readManagedTransforms(config.zoneId),
        ])
        .apply((): pulumi.Resource[] => []),
};

const edgeAuthentication = config.edgeAuth
    ? new EdgeAuth(
          "edge-auth",
          {
              zoneId: config.zoneId,
              publicHostnames: config.apps.map((app) => app.hostname),
              headerName: config.edgeAuth.headerName,
              activeSlot: config.edgeAuth.active,
              rotationA: config.edgeAuth.rotation.a,
              rotationB: config.edgeAuth.rotation.b,
              existingRulesetId: config.edgeAuth.existingRulesetId,
              ...ruleRefs,
          },
          zoneChecked,
      )
    : undefined;
const trueClientIp = config.trueClientIp
    ? new TrueClientIp(
          "true-client-ip",
          {
              zoneId: config.zoneId,
              keepRequestTransforms: config.managedTransforms.request,
              keepResponseTransforms: config.managedTransforms.response,
          },
          zoneChecked,
      )
    : undefined;
/** The public records change last: after the checks, the edge-authentication rule and True-Client-IP. */
const beforeCutover = { dependsOn: zoneChecked.dependsOn.apply(() => [edgeAuthentication, trueClientIp].filter((r) => r !== undefined)) };
// Probes skip transform rules, so the monitors send the header themselves.
const probeAuth =
    config.edgeAuth && edgeAuthentication
        ? { authHeaderName: config.edgeAuth.headerName, authHeaderValue: edgeAuthentication.activeSecret }
        : {};

// `host` is the shared monitor's Host header, not a monitor setting of its own.
const { host: sharedMonitorHost, ...cequenceMonitor } = config.cequence.monitor;

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
        ? new CequencePool("cequence-shared", {
              accountId: config.accountId,
              cequenceHostname: config.cequence.hostname,
              port: config.cequence.port,
              enabled: config.cequence.enabled,
              monitor: cequenceMonitor,
              ...probeAuth,
              publicHostname: sharedMonitorHost,
              poolName: sharedCequencePoolName(stack),
              description: DESCRIPTIONS.sharedPool(stack),
          }, zoneChecked)
        : undefined;

const hostnames = config.apps.map(
    (app) =>
        new ProtectedHostname(app.hostname, {
            accountId: config.accountId,
            zoneId: config.zoneId,
            zone: config.zone,
            hostname: app.hostname,
            origin: app.origin,
            routing: app.routing,
            lbHostname: app.lbHostname,
            existingRecordId: app.existingRecordId,
            // After `pulumi state move` from another stack, the pools keep that stack's names (docs/scale.md).
            stackName: app.poolStack,
            cequenceHostname: config.cequence.hostname,
            cequencePort: config.cequence.port,
            cequenceEnabled: config.cequence.enabled,
            cequenceMonitor,
            originMonitor: app.monitor,
            failoverAcrossPools: config.cequence.failoverAcrossPools,
            cequenceTrafficPercent: config.cequence.trafficPercent,
            paths: app.paths,
            sharedCequencePool: sharedCequence && {
                poolId: sharedCequence.poolId,
                poolName: sharedCequencePoolName(stack),
                healthApiUrl: sharedCequence.healthApiUrl,
                probeUrl: sharedCequence.probeUrl,
            },
            ...probeAuth,
        }, { ...beforeCutover, transformations: [formerlyTopLevel(app.hostname)] }),
);
// A shared pool is every app's: the alerts watch it once.
const cequencePoolIds = pulumi
    .all(hostnames.map((hostname) => hostname.cequencePoolId))
    .apply((ids) => [...new Set(ids.filter((id): id is string => id !== undefined))]);

const alertTargets = [...config.alerts.emails, ...config.alerts.webhookIds, ...config.alerts.pagerdutyIds];
if (alertTargets.length > 0 && config.apps.some(hasLoadBalancer)) {
    new FailOpenAlerts("alerts", { accountId: config.accountId, cequencePoolIds, label: `cloudflare-cequence ${stack}`, ...config.alerts }, zoneChecked);
}

for (const warning of configWarnings(config)) void pulumi.log.warn(warning);

const ipRanges = cloudflare.getIpRangesOutput();

/**
 * Public hostname → the output `pick` gives for it, for the apps `includes`;
 * a plain map of outputs, so a preview knows its keys and one secret value
 * does not make the whole map secret.
 */
function byHostname<T>(pick: (hostname: ProtectedHostname) => pulumi.Output<T>, includes: (app: AppConfig) => boolean = () => true) {
    return Object.fromEntries(config.apps.flatMap((app, index) => (includes(app) ? [[app.hostname, pick(hostnames[index]!)]] : [])));
}

/** Public hostname → load balancer hostname, for each app with a load balancer. */
export const loadBalancers = byHostname((hostname) => hostname.lbHostname, hasLoadBalancer);
/** Public hostname → where its CNAME points. */
export const routing = byHostname((hostname) => hostname.cnameTarget);
/** Public hostname → each pool's name, Cloudflare health API URL and monitor probe URL. */
export const poolHealthEndpoints = byHostname((hostname) => hostname.poolHealthEndpoints, hasLoadBalancer);
/** Public hostname → worst-case seconds before its traffic fails open to the origin when Cequence is down. */
export const failOpenSeconds = byHostname((hostname) => hostname.failOpenSeconds, hasLoadBalancer);
/**
 * Public hostname → the Cloudflare expression matching the requests that go
 * through Cequence, for the apps with `paths`; absent (not even empty) in a
 * stack without `paths`, whose outputs stay as they were.
 */
export const protectedPaths = config.apps.some((app) => app.paths !== undefined)
    ? byHostname((hostname) => hostname.protectedPathsExpression, (app) => app.paths !== undefined)
    : undefined;
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
