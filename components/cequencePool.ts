import * as pulumi from "@pulumi/pulumi";
import { CEQUENCE_ENABLED_DEFAULT, CEQUENCE_PORT_DEFAULT } from "./defaults";
import { authHeader, createMonitoredPool, type MonitoredPoolArgs } from "./monitoredPool";
import { componentType, DESCRIPTIONS } from "./naming";
import { whenKnown } from "./argumentChecks";

export interface CequencePoolArgs extends MonitoredPoolArgs {
    /**
     * The Cequence hostname from the Cequence account team, or the hostname of
     * the Cequence Bridge that the customer runs: the pool's origin address.
     * Normalised (lower case, no trailing dot).
     */
    cequenceHostname: pulumi.Input<string>;
    /** The port Cequence (or the Bridge, 9443 by Cequence's docs) takes HTTPS on, and the monitor probes: 1–65535. Default 443. */
    port?: pulumi.Input<number>;
    /**
     * The pool's and monitor's description. Default "Cequence UAP in line for
     * <publicHostname>"; a pool shared by several hostnames says so here.
     */
    description?: pulumi.Input<string>;
    /** `false` disables the pool and forces Cequence out of line (guide, appendix C). Default `true`. */
    enabled?: pulumi.Input<boolean>;
}

/**
 * The Cequence origin pool (pool 1 of the failover load balancer) and the
 * HTTPS monitor whose failure makes the load balancer fail open to the origin.
 */
export class CequencePool extends pulumi.ComponentResource {
    /** The ID of the health monitor watching the pool. */
    public readonly monitorId: pulumi.Output<string>;
    /** The pool's ID, for a load balancer's `defaultPools`. */
    public readonly poolId: pulumi.Output<string>;
    /** Cloudflare's API URL for the pool's health. */
    public readonly healthApiUrl: pulumi.Output<string>;
    /** The URL the monitor probes. */
    public readonly probeUrl: pulumi.Output<string>;

    constructor(name: string, args: CequencePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("CequencePool"), name, {}, opts);
        const outputs = createMonitoredPool(this, name, {
            component: `CequencePool ${name}`,
            role: "cequence",
            accountId: args.accountId,
            poolName: args.poolName,
            address: args.cequenceHostname,
            addressArgument: "cequenceHostname",
            port: args.port ?? CEQUENCE_PORT_DEFAULT,
            publicHostname: args.publicHostname,
            description: args.description ?? whenKnown(args.publicHostname, (hostname) => DESCRIPTIONS.pool("cequence", hostname)),
            enabled: args.enabled ?? CEQUENCE_ENABLED_DEFAULT,
            monitor: args.monitor,
            authHeader: authHeader(args),
        });
        this.monitorId = outputs.monitorId;
        this.poolId = outputs.poolId;
        this.healthApiUrl = outputs.healthApiUrl;
        this.probeUrl = outputs.probeUrl;
        // Every value the component gives is a child's or the stack's too, so none is registered twice: a
        // component's registered outputs are only its state entry, which the file backend rewrites at every step
        // (docs/benchmark.md, "pulumi up with the real engine").
        this.registerOutputs({});
    }
}
