import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentProblems, whenKnown } from "./argumentChecks";
import { cloudflareIdProblem } from "./cloudflareIds";
import { FAILOVER_ACROSS_POOLS_DEFAULT, steeringPolicyFor, TRAFFIC_PERCENT_DEFAULT, TRAFFIC_PERCENT_LIMITS } from "./defaults";
import { checkedHostname } from "./hostnames";
import { wholeNumberProblem } from "./monitorRules";
import { componentType, DESCRIPTIONS } from "./naming";
import { optionalInput } from "./optionalInput";
import { pathRule, pathsProblems, protectedPathsExpression } from "./paths";

export interface FailoverLoadBalancerArgs {
    /** Cloudflare zone ID (32 hex characters) of the zone the load balancer hostname is in. */
    zoneId: pulumi.Input<string>;
    /**
     * The load balancer's hostname (FQDN), e.g. `origin-www-lb.cq-route.com`;
     * Cloudflare uses it as the LB's name. Normalised as the stack's config
     * does it and Cloudflare stores it (lower case, no trailing dot).
     */
    hostname: pulumi.Input<string>;
    /** ID of the Cequence pool: first in failover order. */
    cequencePoolId: pulumi.Input<string>;
    /** ID of the application origin pool: second in failover order, and the fallback pool; another pool than `cequencePoolId`. */
    originPoolId: pulumi.Input<string>;
    /** The public hostname it serves, for the description. */
    publicHostname: pulumi.Input<string>;
    /**
     * Retry a request on the origin pool at once when Cequence answers with a
     * connection error (521, 522, 523, 525, 526), before any monitor notices
     * (adaptive routing's zero-downtime failover). Default `true`.
     */
    failoverAcrossPools?: pulumi.Input<boolean>;
    /**
     * Percent of requests (1–100) sent to Cequence for a gradual rollout; the
     * rest go straight to the origin. Below 100 the steering is `random` with
     * these weights; at 100 it is failover (`off`). Default 100.
     */
    cequenceTrafficPercent?: pulumi.Input<number>;
    /**
     * Only requests for these URL paths go through Cequence: exact paths
     * (`/login`: also `/LOGIN` and `/login/`) or prefixes ending in `/*`
     * (`/api/*`: `/api`, `/api/` and everything under it, in any case),
     * matched on the path alone (docs/paths.md). One load balancer
     * rule sends every other request straight to the origin pool; the
     * Cequence pool keeps the origin as its fallback. Unset (the default):
     * every request, and no rule (removing `paths` removes the rule). A plain
     * list: it is checked, and the rule's condition built, before anything
     * is registered.
     */
    paths?: string[];
}

/**
 * A proxied Cloudflare load balancer in failover mode (traffic steering off):
 * traffic goes to Cequence while its pool is healthy and enabled, and fails
 * open to the application origin otherwise (guide steps 1, 4 and 5). With
 * `paths`, that holds for the listed paths' requests, and one rule sends every
 * other request straight to the origin pool (docs/paths.md).
 */
export class FailoverLoadBalancer extends pulumi.ComponentResource {
    /** The load balancer's ID. */
    public readonly loadBalancerId: pulumi.Output<string>;
    /** The load balancer's hostname: the target of the public CNAME after the cutover. */
    public readonly hostname: pulumi.Output<string>;
    /** With `paths`, the Cloudflare expression matching the requests that go through Cequence (the rule's condition is its negation); else undefined. */
    public readonly protectedPathsExpression: pulumi.Output<string | undefined>;

    constructor(name: string, args: FailoverLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("FailoverLoadBalancer"), name, {}, opts);
        const problems = new ArgumentProblems(this, `FailoverLoadBalancer ${name}`);
        const zoneId = problems.check(args.zoneId, (given) => ({ value: given, problems: idProblems("zoneId", given) }));
        const hostname = problems.check(args.hostname, (given) => checkedHostname("hostname", given));
        // The origin pool is the fallback when Cequence is down: the same pool twice would leave none. The same
        // ID, or the same output passed twice; IDs of two pools resolve to two IDs, so they wait for nothing.
        if (args.cequencePoolId === args.originPoolId) {
            const id = typeof args.originPoolId === "string" ? ` (${args.originPoolId})` : "";
            problems.add("originPoolId", `is cequencePoolId too${id}: the origin pool is the fallback when Cequence is down, so it must be another pool`);
        }
        const percent = problems.check(args.cequenceTrafficPercent ?? TRAFFIC_PERCENT_DEFAULT, (given) => {
            const problem = wholeNumberProblem(given, TRAFFIC_PERCENT_LIMITS);
            return { value: given, problems: problem === undefined ? [] : [{ path: "cequenceTrafficPercent", message: problem }] };
        });
        if (args.paths !== undefined) for (const problem of pathsProblems(args.paths, "paths")) problems.add(problem.path, problem.message);
        problems.refuseKnown();
        // Random steering still skips an unhealthy pool, so a partial rollout keeps fail-open. At a known 100
        // (the guide's failover) there are no weights, and nothing to wait for.
        const randomSteering =
            percent === 100
                ? undefined
                : pulumi
                      .all([percent, args.cequencePoolId, args.originPoolId])
                      .apply(([share, cequencePoolId, originPoolId]) =>
                          steeringPolicyFor(share) === "random" ? { poolWeights: { [cequencePoolId]: share / 100, [originPoolId]: (100 - share) / 100 } } : undefined,
                      );
        const loadBalancer = new cloudflare.LoadBalancer(
            `${name}-lb`,
            {
                zoneId,
                name: hostname,
                description: whenKnown(args.publicHostname, DESCRIPTIONS.loadBalancer),
                proxied: true,
                // "off" is failover: pools are tried in the order of defaultPools.
                steeringPolicy: whenKnown(percent, steeringPolicyFor),
                randomSteering: randomSteering === undefined ? undefined : optionalInput(randomSteering),
                adaptiveRouting: { failoverAcrossPools: args.failoverAcrossPools ?? FAILOVER_ACROSS_POOLS_DEFAULT },
                defaultPools: [args.cequencePoolId, args.originPoolId],
                fallbackPool: args.originPoolId,
                // Without paths the key stays unset: stacks deployed before paths existed see no change, and
                // one that had paths loses its rule, as Pulumi diffs the removed input (tests/e2e/paths.e2e.ts).
                ...(args.paths === undefined ? {} : { rules: [pathRule(args.paths, args.originPoolId)] }),
            },
            { parent: this },
        );
        this.loadBalancerId = loadBalancer.id;
        this.hostname = loadBalancer.name;
        this.protectedPathsExpression = pulumi.output(args.paths === undefined ? undefined : protectedPathsExpression(args.paths));
        // Every value the component gives is a child's or the stack's too, so none is registered twice: a
        // component's registered outputs are only its state entry, which the file backend rewrites at every step
        // (docs/benchmark.md, "pulumi up with the real engine").
        this.registerOutputs({});
    }
}

function idProblems(path: string, given: string) {
    const problem = cloudflareIdProblem(given);
    return problem === undefined ? [] : [{ path, message: problem }];
}
