import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface FailoverLoadBalancerArgs {
    /** Cloudflare zone ID (32 hex characters) of the zone the load balancer hostname is in. */
    zoneId: pulumi.Input<string>;
    /** The load balancer's hostname (FQDN), e.g. `origin-www-lb.cq-route.com`; Cloudflare uses it as the LB's name. */
    hostname: pulumi.Input<string>;
    /** ID of the Cequence pool: first in failover order. */
    cequencePoolId: pulumi.Input<string>;
    /** ID of the application origin pool: second in failover order, and the fallback pool. */
    originPoolId: pulumi.Input<string>;
    /** The public hostname it serves, for the description. */
    publicHostname: pulumi.Input<string>;
}

/**
 * A proxied Cloudflare load balancer in failover mode (traffic steering off):
 * traffic goes to Cequence while its pool is healthy and enabled, and fails
 * open to the application origin otherwise (guide steps 1, 4 and 5).
 */
export class FailoverLoadBalancer extends pulumi.ComponentResource {
    /** The load balancer's ID. */
    public readonly loadBalancerId: pulumi.Output<string>;
    /** The load balancer's hostname: the target of the public CNAME after the cutover. */
    public readonly hostname: pulumi.Output<string>;

    constructor(name: string, args: FailoverLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudflare-cequence:index:FailoverLoadBalancer", name, {}, opts);
        const loadBalancer = new cloudflare.LoadBalancer(
            `${name}-lb`,
            {
                zoneId: args.zoneId,
                name: args.hostname,
                description: pulumi.interpolate`Cequence in line for ${args.publicHostname}; fails open to the origin`,
                proxied: true,
                // "off" is failover: pools are tried in the order of defaultPools.
                steeringPolicy: "off",
                defaultPools: [args.cequencePoolId, args.originPoolId],
                fallbackPool: args.originPoolId,
            },
            { parent: this },
        );
        this.loadBalancerId = loadBalancer.id;
        this.hostname = loadBalancer.name;
        this.registerOutputs({ loadBalancerId: this.loadBalancerId, hostname: this.hostname });
    }
}
