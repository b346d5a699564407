import * as pulumi from "@pulumi/pulumi";
import { AppOriginPool } from "./appOriginPool";
import { CequencePool } from "./cequencePool";
import { CnameCutover, IMPORT_NEEDS_KNOWN_ZONE_ID } from "./cnameCutover";
import { allDependencies } from "./dependencies";
import { ArgumentProblems, isKnown, whenKnown, type Checked } from "./argumentChecks";
import { cloudflareIdProblem } from "./cloudflareIds";
import { CEQUENCE_PORT_DEFAULT, ROUTING_DEFAULT, TRAFFIC_PERCENT_DEFAULT, TRAFFIC_PERCENT_LIMITS, withMonitorDefaults } from "./defaults";
import { worstCaseFailOpenSeconds } from "./failOpen";
import { FailoverLoadBalancer } from "./failoverLoadBalancer";
import { dnsLengthProblem, hostnameProblem, normaliseHostname } from "./hostnames";
import type { MonitorArgs } from "./monitoredPool";
import { monitorProblems, PORT_LIMITS, wholeNumberProblem } from "./monitorRules";
import { pathsProblems, pathsRoutingProblem } from "./paths";
import { directRoutingPortProblem } from "./routingRules";
import { cnameTarget, componentType, defaultLbHostname, hasLoadBalancer, isInZone, poolName, ROUTINGS, type PoolRole, Routing } from "./naming";
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
     * Cloudflare zone ID (32 hex characters), e.g. `getZoneOutput(...).zoneId`
     * or another stack's output. With `existingRecordId` it forms the record's
     * import ID, which Pulumi needs before anything is registered: then it
     * must be known when the component is built.
     */
    zoneId: pulumi.Input<string>;
    /** The zone's name, e.g. `cq-route.com`; the hostnames and the load balancer hostname are in it. */
    zone: pulumi.Input<string>;
    /**
     * The public hostname, e.g. `www.cq-route.com`. It and `zone`, `origin`,
     * `lbHostname` and `cequenceHostname` are checked together: the component
     * refuses a loop between them, before anything is registered when they
     * are known, and as they resolve when any is an output. Each is
     * normalised as the stack's config does it and Cloudflare stores it (lower
     * case, no trailing dot), and must be a DNS hostname.
     */
    hostname: pulumi.Input<string>;
    /** The application origin's hostname, e.g. `origin-www.cq-route.com` (may be outside the zone). */
    origin: pulumi.Input<string>;
    /**
     * Where the public CNAME points: `loadBalancer` (Cequence in line, the
     * guide's step 6), `origin` (before the cutover, or rolled back; the
     * pools and load balancer still exist) or `cequence` (appendix A: no load
     * balancer and no pools, so no fail-open). Default `loadBalancer`. A plain
     * value, not an output: it decides which resources exist.
     */
    routing?: Routing;
    /**
     * The load balancer's hostname. It must be a new name: a Cloudflare load
     * balancer takes over any DNS record of its name. Default
     * `origin-<name relative to the zone, dots as hyphens>-lb.<zone>`.
     */
    lbHostname?: pulumi.Input<string>;
    /**
     * ID of the hostname's existing DNS record (32 hex characters), adopted
     * instead of created. A plain string: it forms the import ID, which Pulumi
     * needs before anything is registered.
     */
    existingRecordId?: string;
    /**
     * Keeps pool names apart between stacks that share an account. Default:
     * the stack's name (`pulumi.getStack()`), as the pools of the program are named.
     */
    stackName?: pulumi.Input<string>;
    /** The Cequence hostname from the Cequence account team, or the Cequence Bridge's hostname. */
    cequenceHostname: pulumi.Input<string>;
    /** The port Cequence (or the Bridge) takes HTTPS on, and its monitor probes: 1–65535. Default 443. Not used with `sharedCequencePool`, whose own pool sets it. */
    cequencePort?: pulumi.Input<number>;
    /** `false` disables the Cequence pool: Cequence out of line (appendix C). Default `true`. Not used with `sharedCequencePool`, whose own pool sets it. */
    cequenceEnabled?: pulumi.Input<boolean>;
    /**
     * The Cequence monitor's settings, for this hostname's own Cequence pool and
     * for `failOpenSeconds`; with `sharedCequencePool`, pass the shared pool's.
     */
    cequenceMonitor?: pulumi.Input<MonitorArgs>;
    /** The origin monitor's settings. */
    originMonitor?: pulumi.Input<MonitorArgs>;
    /** Retry a request on the origin pool at once when Cequence fails to connect (adaptive routing). Default `true`. */
    failoverAcrossPools?: pulumi.Input<boolean>;
    /** Percent of requests (1–100) sent through Cequence; below 100 the steering is random (a rollout), within `paths` when they are given. Default 100. */
    cequenceTrafficPercent?: pulumi.Input<number>;
    /**
     * Only requests for these URL paths go through Cequence (and fail open
     * to the origin as ever): exact paths (`/login`: also `/LOGIN` and
     * `/login/`) or prefixes ending in `/*` (`/api/*`: `/api`, `/api/` and
     * everything under it, in any case; not `/apix`), matched on the path
     * alone (docs/paths.md). A load balancer rule sends every
     * other request straight to the origin pool. Only with `routing:
     * "loadBalancer"`. Unset (the default): every request goes through
     * Cequence. A plain list, not an output: it decides whether the load
     * balancer has a rule, and is checked before anything is registered.
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
 * Its four children are `<name>-cequence`, `-origin`, `-failover` and
 * `-cutover`. Every argument may be an output (another stack's, a data
 * source's) but those that decide what is registered: `routing`, `paths`,
 * `existingRecordId`, whether there is a `sharedCequencePool` (its fields may
 * be outputs) and `authHeaderName`. Those known now are checked before
 * anything is registered, the others as they resolve, before any resource
 * that takes them is registered.
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
        const checked = checkArgs(this, name, args);
        const { routing, names } = checked;
        const field = <K extends keyof Names>(key: K) => whenKnown(names, (known) => known[key]);
        const hostname = field("hostname");
        const target = whenKnown(names, (known) => cnameTarget({ routing, lbHostname: known.lbHostname, origin: known.origin }, known.cequenceHostname));
        // The public record changes last: after what it points at (`after`) and whatever this hostname waits for
        // (`opts.dependsOn`: the stack's checks against the live zone, edge authentication) all exist.
        const cutOver = (to: pulumi.Input<string>, after: Array<pulumi.Resource | pulumi.Input<string>> = []) =>
            new CnameCutover(
                `${name}-cutover`,
                { zoneId: checked.zoneId, hostname, target: to, existingRecordId: args.existingRecordId },
                { parent: this, dependsOn: allDependencies(...after, opts?.dependsOn) },
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
            const named = (role: PoolRole) => whenKnown({ stack: checked.stackName, hostname }, (known) => poolName(role, known.stack, known.hostname));
            const names = { cequence: named("cequence"), origin: named("origin") };
            const cequence: PoolRef =
                args.sharedCequencePool ??
                asPoolRef(
                    new CequencePool(
                        `${name}-cequence`,
                        {
                            accountId: checked.accountId,
                            cequenceHostname: field("cequenceHostname"),
                            port: args.cequencePort ?? CEQUENCE_PORT_DEFAULT,
                            enabled: args.cequenceEnabled,
                            monitor: args.cequenceMonitor,
                            publicHostname: hostname,
                            poolName: names.cequence,
                            ...probeAuth,
                        },
                        { parent: this },
                    ),
                    names.cequence,
                );
            const origin = asPoolRef(
                new AppOriginPool(
                    `${name}-origin`,
                    { accountId: checked.accountId, originHostname: field("origin"), publicHostname: hostname, poolName: names.origin, monitor: args.originMonitor, ...probeAuth },
                    { parent: this },
                ),
                names.origin,
            );
            const loadBalancer = new FailoverLoadBalancer(
                `${name}-failover`,
                {
                    zoneId: checked.zoneId,
                    hostname: field("lbHostname"),
                    cequencePoolId: cequence.poolId,
                    originPoolId: origin.poolId,
                    publicHostname: hostname,
                    failoverAcrossPools: args.failoverAcrossPools,
                    cequenceTrafficPercent: checked.cequenceTrafficPercent,
                    paths: args.paths,
                },
                // While the public CNAME points at it, deleting the LB would leave the hostname dangling.
                { parent: this, protect: routing === "loadBalancer" },
            );
            // Pointing at the LB, the record waits for it and for both pools (their IDs carry the pool resources).
            this.recordId = (
                routing === "loadBalancer" ? cutOver(loadBalancer.hostname, [loadBalancer, cequence.poolId, origin.poolId]) : cutOver(target)
            ).recordId;
            this.lbHostname = pulumi.output(field("lbHostname"));
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

function asPoolRef(pool: CequencePool | AppOriginPool, poolName: pulumi.Input<string>): PoolRef {
    return { poolId: pool.poolId, poolName, healthApiUrl: pool.healthApiUrl, probeUrl: pool.probeUrl };
}

function endpoints(pool: PoolRef) {
    return { pool: pool.poolName, healthApiUrl: pool.healthApiUrl, probeUrl: pool.probeUrl };
}

/** The five names, normalised; `lbHostname` derived when not given. */
interface Names {
    zone: string;
    hostname: string;
    origin: string;
    lbHostname: string;
    cequenceHostname: string;
}

/** The arguments as the component uses them: checked, those known now as they are, the others as outputs that refuse what is wrong. */
interface CheckedArgs {
    routing: Routing;
    names: Names | pulumi.Output<Names>;
    zoneId: pulumi.Input<string>;
    accountId: pulumi.Input<string>;
    stackName: pulumi.Input<string>;
    cequenceTrafficPercent: pulumi.Input<number>;
}

/**
 * Refuses what would break the hostname, and what the stack's config would
 * refuse, every problem at once, each named by its argument: users who call
 * the component directly never pass through the stack's config schema.
 * Values known now are checked now, so that nothing is registered; outputs
 * as they resolve. Monitor settings and the port given as outputs are
 * checked by the pools as they resolve.
 */
function checkArgs(resource: pulumi.Resource, name: string, args: ProtectedHostnameArgs): CheckedArgs {
    // Named by the hostname when it is known (the resource's name is often shorter, as other languages name it).
    const problems = new ArgumentProblems(resource, `ProtectedHostname ${typeof args.hostname === "string" ? args.hostname : name}`);
    const routing = args.routing ?? ROUTING_DEFAULT;
    if (!(ROUTINGS as readonly string[]).includes(routing)) problems.add("routing", `must be one of ${ROUTINGS.join(", ")}, got ${JSON.stringify(routing)}`);
    const names = problems.check(
        { zone: args.zone, hostname: args.hostname, origin: args.origin, lbHostname: args.lbHostname, cequenceHostname: args.cequenceHostname },
        checkedNames,
    );
    const cequenceTrafficPercent = problems.check(args.cequenceTrafficPercent ?? TRAFFIC_PERCENT_DEFAULT, (given) =>
        single("cequenceTrafficPercent", given, wholeNumberProblem(given, TRAFFIC_PERCENT_LIMITS)),
    );
    if (args.paths !== undefined) {
        for (const problem of pathsProblems(args.paths, "paths")) problems.add(problem.path, problem.message);
        problems.add("paths", pathsRoutingProblem(routing));
    }
    if (args.existingRecordId !== undefined) {
        problems.add("existingRecordId", cloudflareIdProblem(args.existingRecordId));
        if (!isKnown(args.zoneId)) {
            problems.add("zoneId", IMPORT_NEEDS_KNOWN_ZONE_ID);
        }
    }
    const zoneId = problems.check(args.zoneId, (given) => single("zoneId", given, cloudflareIdProblem(given)));
    const accountId = problems.check(args.accountId, (given) => single("accountId", given, cloudflareIdProblem(given)));
    const stackName = problems.check(args.stackName ?? pulumi.getStack(), (given) =>
        single("stackName", given, /^[A-Za-z0-9._-]+$/.test(given) ? undefined : `must be a Pulumi stack name, got ${JSON.stringify(given)}`),
    );
    const monitors: Array<[string, PoolRole, pulumi.Input<MonitorArgs> | undefined]> = [
        ["cequenceMonitor", "cequence", args.cequenceMonitor],
        ["originMonitor", "origin", args.originMonitor],
    ];
    for (const [argument, role, monitor] of monitors) {
        if (monitor !== undefined && isKnown(monitor)) {
            for (const problem of monitorProblems(role, monitor as MonitorArgs)) problems.add(`${argument}.${problem.key}`, problem.message);
        }
    }
    if (args.cequencePort !== undefined && isKnown(args.cequencePort)) {
        problems.add("cequencePort", wholeNumberProblem(args.cequencePort as number, PORT_LIMITS));
        problems.add("routing", directRoutingPortProblem(routing, args.cequencePort as number));
    }
    problems.refuseKnown();
    return { routing: routing as Routing, names, zoneId, accountId, stackName, cequenceTrafficPercent };
}

/** One argument's value, and its problem when there is one. */
function single<T>(path: string, value: T, message: string | undefined): Checked<T> {
    return { value, problems: message === undefined ? [] : [{ path, message }] };
}

/** The five names checked together: each a DNS hostname, in the zone where it must be, and no loop between them. */
function checkedNames(given: { zone: string; hostname: string; origin: string; lbHostname: string | undefined; cequenceHostname: string }): Checked<Names> {
    const problems: Problem[] = [];
    const add = (path: string, message: string | undefined) => {
        if (message !== undefined) problems.push({ path, message });
    };
    const named = (argument: "zone" | "hostname" | "origin" | "cequenceHostname") => {
        const name = normaliseHostname(given[argument]);
        add(argument, hostnameProblem(name));
        return name;
    };
    const zone = named("zone");
    const hostname = named("hostname");
    const origin = named("origin");
    const cequenceHostname = named("cequenceHostname");
    let lbHostname: string;
    if (given.lbHostname === undefined) {
        lbHostname = defaultLbHostname(hostname, zone);
        const tooLong = dnsLengthProblem(lbHostname);
        if (tooLong) add("hostname", `its derived load balancer hostname ${lbHostname} ${tooLong}; set lbHostname to a shorter name in the zone`);
    } else {
        lbHostname = normaliseHostname(given.lbHostname);
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
    return { value: { zone, hostname, origin, lbHostname, cequenceHostname }, problems };
}
