import * as pulumi from "@pulumi/pulumi";
import { AppOriginPool } from "./appOriginPool";
import { CequencePool } from "./cequencePool";
import { CnameCutover } from "./cnameCutover";
import { isKnown, refuseArguments } from "./argumentChecks";
import { cloudflareIdProblem } from "./cloudflareIds";
import { CEQUENCE_PORT_DEFAULT, ROUTING_DEFAULT, TRAFFIC_PERCENT_DEFAULT, TRAFFIC_PERCENT_LIMITS, withMonitorDefaults } from "./defaults";
import { worstCaseFailOpenSeconds } from "./failOpen";
import { FailoverLoadBalancer } from "./failoverLoadBalancer";
import { dnsLengthProblem, hostnameProblem, normaliseHostname } from "./hostnames";
import type { MonitorArgs } from "./monitoredPool";
import { monitorProblems, PORT_LIMITS, wholeNumberProblem } from "./monitorRules";
import { pathsProblems, pathsRoutingProblem } from "./paths";
import { directRoutingPortProblem } from "./routingRules";
import { cnameTarget, componentType, defaultLbHostname, hasLoadBalancer, isInZone, poolName, ROUTINGS, type PoolRole, type Routing } from "./naming";
import type { Problem } from "./problems";

/** A Cequence pool that several hostnames share (`cequence.sharedPool`): a {@link CequencePool}'s outputs. */
export interface SharedCequencePoolArgs {
    /** The pool's ID (`CequencePool.poolId`). */
    poolId: pulumi.Input<string>;
    /** The pool's Cloudflare name. */
    poolName: pulumi.Input<string>;
    /** Cloudflare's API URL for the pool's health (`CequencePool.healthApiUrl`). */
    healthApiUrl: pulumi.Input<string>;
    /** The URL the pool's monitor probes (`CequencePool.probeUrl`). */
    probeUrl: pulumi.Input<string>;
}

export interface ProtectedHostnameArgs {
    /** Cloudflare account ID (32 hex characters), which owns the pools and monitors. */
    accountId: pulumi.Input<string>;
    /**
     * Cloudflare zone ID (32 hex characters). A plain string: with
     * `existingRecordId` it forms the record's import ID.
     */
    zoneId: string;
    /** The zone's name, e.g. `cq-route.com`; the hostnames and the load balancer hostname are in it. */
    zone: string;
    /**
     * The public hostname, e.g. `www.cq-route.com`. Plain strings here and in
     * `zone`, `origin`, `lbHostname` and `cequenceHostname`: the component
     * refuses a loop between them before anything is registered. Each is
     * normalised as the stack's config does it and Cloudflare stores it (lower
     * case, no trailing dot), and must be a DNS hostname.
     */
    hostname: string;
    /** The application origin's hostname, e.g. `origin-www.cq-route.com` (may be outside the zone). */
    origin: string;
    /**
     * Where the public CNAME points: `"loadBalancer"` (Cequence in line, the
     * guide's step 6), `"origin"` (before the cutover, or rolled back; the
     * pools and load balancer still exist) or `"cequence"` (appendix A: no load
     * balancer and no pools, so no fail-open). Default `"loadBalancer"`.
     */
    routing?: string;
    /**
     * The load balancer's hostname. It must be a new name: a Cloudflare load
     * balancer takes over any DNS record of its name. Default
     * `origin-<name relative to the zone, dots as hyphens>-lb.<zone>`.
     */
    lbHostname?: string;
    /** ID of the hostname's existing DNS record (32 hex characters), adopted instead of created. */
    existingRecordId?: string;
    /**
     * Keeps pool names apart between stacks that share an account: the stack's
     * name (`pulumi.getStack()`), as the pools of the program are named.
     */
    stackName: string;
    /** The Cequence hostname from the Cequence account team, or the Cequence Bridge's hostname. */
    cequenceHostname: string;
    /** The port Cequence (or the Bridge) takes HTTPS on, and its monitor probes: 1–65535. Default 443. Not used with `sharedCequencePool`, whose own pool sets it. */
    cequencePort?: pulumi.Input<number>;
    /** `false` disables the Cequence pool: Cequence out of line (appendix C). Default `true`. Not used with `sharedCequencePool`, whose own pool sets it. */
    cequenceEnabled?: pulumi.Input<boolean>;
    /**
     * The Cequence monitor's settings, for this hostname's own Cequence pool and
     * for `failOpenSeconds`; with `sharedCequencePool`, pass the shared pool's.
     */
    cequenceMonitor?: MonitorArgs;
    /** The origin monitor's settings. */
    originMonitor?: MonitorArgs;
    /** Retry a request on the origin pool at once when Cequence fails to connect (adaptive routing). Default `true`. */
    failoverAcrossPools?: pulumi.Input<boolean>;
    /** Percent of requests (1–100) sent through Cequence; below 100 the steering is random (a rollout), within `paths` when they are given. Default 100. */
    cequenceTrafficPercent?: number;
    /**
     * Only requests for these URL paths go through Cequence (and fail open
     * to the origin as ever): exact paths (`/login`) or prefixes ending in
     * `/*` (`/api/*`: `/api/` and everything under it, not `/apix`), matched
     * on the path alone, case-sensitive. A load balancer rule sends every
     * other request straight to the origin pool. Only with `routing:
     * "loadBalancer"`. Unset (the default): every request goes through
     * Cequence. A plain list, checked before anything is registered.
     */
    paths?: string[];
    /** A Cequence pool shared with other hostnames, used as pool 1 instead of a pool of this hostname's own. */
    sharedCequencePool?: SharedCequencePoolArgs;
    /** Name of the secret header every probe sends (edge authentication). A plain string: a key of the monitors' header map. */
    authHeaderName?: string;
    /** The secret header's value; used only with `authHeaderName`. */
    authHeaderValue?: pulumi.Input<string>;
}

/** A pool's Cloudflare name and where to see its health. */
export interface PoolEndpoints {
    /** The pool's Cloudflare name. */
    pool: string;
    /** Cloudflare's API URL for the pool's health. */
    healthApiUrl: string;
    /** The URL the pool's monitor probes. */
    probeUrl: string;
}

/** The health endpoints of a hostname's two pools. */
export interface HostnamePoolEndpoints {
    /** The Cequence pool (pool 1). */
    cequence: PoolEndpoints;
    /** The origin pool (pool 2 and the fallback). */
    origin: PoolEndpoints;
}

/**
 * One public hostname protected as the integration guide sets it up: a
 * Cequence pool and an origin pool, each with its monitor, a failover load
 * balancer whose fallback is the origin (so the hostname fails open), and the
 * CNAME cutover for its `routing`, with the guide's safety rules built in:
 * the load balancer is protected while the CNAME points at it, the cutover
 * waits for the load balancer, and the record is protected and retained.
 * With `paths`, only those paths' requests take Cequence's pool; the others go
 * straight to the origin pool.
 *
 * Its four children (`<name>-cequence`, `-origin`, `-failover`, `-cutover`)
 * carry an alias to the stack's top level, where this project's stacks
 * registered them before the component existed: a stack that composed the
 * four by hand under those names at its top level adopts them unchanged.
 */
export class ProtectedHostname extends pulumi.ComponentResource {
    /** The load balancer's hostname; undefined with `routing: "cequence"`, which has none. */
    public readonly lbHostname: pulumi.Output<string | undefined>;
    /** Where the public CNAME points. */
    public readonly cnameTarget: pulumi.Output<string>;
    /** Each pool's name, health API URL and probe URL; undefined with `routing: "cequence"`. */
    public readonly poolHealthEndpoints: pulumi.Output<HostnamePoolEndpoints | undefined>;
    /** Worst-case seconds from Cequence failing its health checks to traffic on the origin; undefined without a load balancer. */
    public readonly failOpenSeconds: pulumi.Output<number | undefined>;
    /** The Cequence pool's ID (the shared one's when shared), for alerts; undefined without a load balancer. */
    public readonly cequencePoolId: pulumi.Output<string | undefined>;
    /** The public DNS record's ID. */
    public readonly recordId: pulumi.Output<string>;
    /**
     * With `paths`, the Cloudflare expression this component built that
     * matches the requests going through Cequence; the load balancer rule's
     * condition is `not (<expression>)`. Undefined without `paths`.
     */
    public readonly protectedPathsExpression: pulumi.Output<string | undefined>;

    constructor(name: string, args: ProtectedHostnameArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ProtectedHostname"), name, {}, opts);
        const { routing, hostname, origin: originHostname, lbHostname, cequenceHostname } = checkArgs(this, args);
        const target = cnameTarget({ routing, lbHostname, origin: originHostname }, cequenceHostname);
        // Before this component existed, the stack registered these four at its top level: the aliases
        // keep their identity (and, through the engine, their children's). For a new hostname they match nothing.
        // As URNs, the SDK sends them as they are; `{ parent: pulumi.rootStackResource }` made it resolve the
        // stack's URN for each child, a chain of promises every time (docs/benchmark.md). The stack and project
        // name the deployment, as any URN does; they are not configuration.
        const formerlyTopLevel = (component: string, childName: string) => ({
            parent: this,
            aliases: [`urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${componentType(component)}::${childName}`],
        });
        const cutOver = (to: pulumi.Input<string>) =>
            new CnameCutover(
                `${name}-cutover`,
                { zoneId: args.zoneId, hostname, target: to, existingRecordId: args.existingRecordId },
                formerlyTopLevel("CnameCutover", `${name}-cutover`),
            );

        if (!hasLoadBalancer({ routing })) {
            this.recordId = cutOver(target).recordId;
            this.lbHostname = pulumi.output(undefined);
            this.poolHealthEndpoints = pulumi.output(undefined);
            this.failOpenSeconds = pulumi.output(undefined);
            this.cequencePoolId = pulumi.output(undefined);
            this.protectedPathsExpression = pulumi.output(undefined);
        } else {
            const probeAuth = { authHeaderName: args.authHeaderName, authHeaderValue: args.authHeaderValue };
            const names = { cequence: poolName("cequence", args.stackName, hostname), origin: poolName("origin", args.stackName, hostname) };
            const cequence: PoolRef =
                args.sharedCequencePool ??
                asPoolRef(
                    new CequencePool(
                        `${name}-cequence`,
                        {
                            accountId: args.accountId,
                            cequenceHostname,
                            port: args.cequencePort ?? CEQUENCE_PORT_DEFAULT,
                            enabled: args.cequenceEnabled,
                            monitor: args.cequenceMonitor,
                            publicHostname: hostname,
                            poolName: names.cequence,
                            ...probeAuth,
                        },
                        formerlyTopLevel("CequencePool", `${name}-cequence`),
                    ),
                    names.cequence,
                );
            const origin = asPoolRef(
                new AppOriginPool(
                    `${name}-origin`,
                    { accountId: args.accountId, originHostname, publicHostname: hostname, poolName: names.origin, monitor: args.originMonitor, ...probeAuth },
                    formerlyTopLevel("AppOriginPool", `${name}-origin`),
                ),
                names.origin,
            );
            const loadBalancer = new FailoverLoadBalancer(
                `${name}-failover`,
                {
                    zoneId: args.zoneId,
                    hostname: lbHostname,
                    cequencePoolId: cequence.poolId,
                    originPoolId: origin.poolId,
                    publicHostname: hostname,
                    failoverAcrossPools: args.failoverAcrossPools,
                    cequenceTrafficPercent: args.cequenceTrafficPercent,
                    paths: args.paths,
                },
                // While the public CNAME points at it, deleting the LB would leave the hostname dangling.
                { ...formerlyTopLevel("FailoverLoadBalancer", `${name}-failover`), protect: routing === "loadBalancer" },
            );
            // Pointing at the LB's output makes the cutover wait until the LB exists.
            this.recordId = cutOver(routing === "loadBalancer" ? loadBalancer.hostname : target).recordId;
            this.lbHostname = pulumi.output(lbHostname);
            this.poolHealthEndpoints = pulumi.output({ cequence: endpoints(cequence), origin: endpoints(origin) });
            this.failOpenSeconds = pulumi.output(args.cequenceMonitor ?? {}).apply((monitor) => worstCaseFailOpenSeconds(withMonitorDefaults(monitor)));
            this.cequencePoolId = pulumi.output(cequence.poolId);
            this.protectedPathsExpression = loadBalancer.protectedPathsExpression;
        }
        this.cnameTarget = pulumi.output(target);
        // Every value the component gives is a child's or the stack's too, so none is registered twice: a
        // component's registered outputs are only its state entry, which the file backend rewrites at every step
        // (docs/benchmark.md, "pulumi up with the real engine").
        this.registerOutputs({});
    }
}

/** A pool as the load balancer and the outputs use it: the shape a shared Cequence pool is passed in. */
type PoolRef = SharedCequencePoolArgs;

function asPoolRef(pool: CequencePool | AppOriginPool, poolName: string): PoolRef {
    return { poolId: pool.poolId, poolName, healthApiUrl: pool.healthApiUrl, probeUrl: pool.probeUrl };
}

function endpoints(pool: PoolRef) {
    return { pool: pool.poolName, healthApiUrl: pool.healthApiUrl, probeUrl: pool.probeUrl };
}

/** The arguments as the component uses them: checked, and the hostnames normalised. */
interface CheckedArgs {
    routing: Routing;
    hostname: string;
    origin: string;
    lbHostname: string;
    cequenceHostname: string;
}

/**
 * Refuses what would break the hostname, and what the stack's config would
 * refuse, every problem at once, each named by its argument: users who call
 * the component directly never pass through the stack's config schema.
 * Monitor settings and the port are checked here when they are known now;
 * given as outputs, the pools check them as they resolve.
 */
function checkArgs(resource: pulumi.Resource, args: ProtectedHostnameArgs): CheckedArgs {
    const problems: Problem[] = [];
    const add = (path: string, message: string | undefined) => {
        if (message !== undefined) problems.push({ path, message });
    };
    const named = (argument: "zone" | "hostname" | "origin" | "cequenceHostname", given: string) => {
        const name = normaliseHostname(given);
        add(argument, hostnameProblem(name));
        return name;
    };
    const zone = named("zone", args.zone);
    const hostname = named("hostname", args.hostname);
    const origin = named("origin", args.origin);
    const cequenceHostname = named("cequenceHostname", args.cequenceHostname);
    let lbHostname: string;
    if (args.lbHostname === undefined) {
        lbHostname = defaultLbHostname(hostname, zone);
        const tooLong = dnsLengthProblem(lbHostname);
        if (tooLong) add("hostname", `its derived load balancer hostname ${lbHostname} ${tooLong}; set lbHostname to a shorter name in the zone`);
    } else {
        lbHostname = normaliseHostname(args.lbHostname);
        add("lbHostname", hostnameProblem(lbHostname));
    }
    for (const [argument, value] of [["hostname", hostname], ["lbHostname", lbHostname]] as const) {
        if (!isInZone(value, zone)) add(argument, `${value} is not in the zone ${zone}`);
    }
    const loops: Array<[string, string, string, string]> = [
        ["hostname", hostname, "origin", origin],
        ["hostname", hostname, "lbHostname", lbHostname],
        ["hostname", hostname, "cequenceHostname", cequenceHostname],
        ["origin", origin, "lbHostname", lbHostname],
        ["origin", origin, "cequenceHostname", cequenceHostname],
    ];
    for (const [a, valueA, b, valueB] of loops) {
        if (valueA === valueB) add(b, `is ${a} too (${valueA}): traffic would loop back through Cloudflare`);
    }
    if (lbHostname === zone && hostname !== zone) {
        add("lbHostname", `${lbHostname} is the zone apex; the load balancer would take over the apex, usually the main site`);
    }
    const routing = args.routing ?? ROUTING_DEFAULT;
    if (!(ROUTINGS as readonly string[]).includes(routing)) add("routing", `must be one of ${ROUTINGS.join(", ")}, got ${JSON.stringify(routing)}`);
    add("cequenceTrafficPercent", wholeNumberProblem(args.cequenceTrafficPercent ?? TRAFFIC_PERCENT_DEFAULT, TRAFFIC_PERCENT_LIMITS));
    if (args.paths !== undefined) {
        problems.push(...pathsProblems(args.paths, "paths"));
        add("paths", pathsRoutingProblem(routing));
    }
    if (args.existingRecordId !== undefined) add("existingRecordId", cloudflareIdProblem(args.existingRecordId));
    add("zoneId", cloudflareIdProblem(args.zoneId));
    if (isKnown(args.accountId)) add("accountId", cloudflareIdProblem(args.accountId));
    if (!/^[A-Za-z0-9._-]+$/.test(args.stackName)) add("stackName", `must be a Pulumi stack name, got ${JSON.stringify(args.stackName)}`);
    const monitors: Array<[string, PoolRole, MonitorArgs | undefined]> = [
        ["cequenceMonitor", "cequence", args.cequenceMonitor],
        ["originMonitor", "origin", args.originMonitor],
    ];
    for (const [argument, role, monitor] of monitors) {
        if (monitor !== undefined && isKnown(monitor)) {
            for (const problem of monitorProblems(role, monitor)) add(`${argument}.${problem.key}`, problem.message);
        }
    }
    if (args.cequencePort !== undefined && isKnown(args.cequencePort)) {
        add("cequencePort", wholeNumberProblem(args.cequencePort, PORT_LIMITS));
        add("routing", directRoutingPortProblem(routing, args.cequencePort as number));
    }
    refuseArguments(resource, `ProtectedHostname ${args.hostname}`, problems);
    return { routing: routing as Routing, hostname, origin, lbHostname, cequenceHostname };
}
