import * as pulumi from "@pulumi/pulumi";
import { HTTPS_PORT } from "./defaults";
import { authHeader, createMonitoredPool, type MonitoredPoolArgs } from "./monitoredPool";
import { componentType, DESCRIPTIONS } from "./naming";
import { whenKnown } from "./argumentChecks";

export interface AppOriginPoolArgs extends MonitoredPoolArgs {
    /** The application origin's hostname, e.g. `origin-www.cq-route.com`: the pool's origin address. Normalised (lower case, no trailing dot). */
    originHostname: pulumi.Input<string>;
}

/**
 * The application origin pool: the load balancer's last pool and fallback,
 * where traffic goes when Cequence is unhealthy or disabled (fail-open).
 */
export class AppOriginPool extends pulumi.ComponentResource {
    /** The ID of the health monitor watching the pool. */
    public readonly monitorId: pulumi.Output<string>;
    /** The pool's ID, for a load balancer's `defaultPools` and `fallbackPool`. */
    public readonly poolId: pulumi.Output<string>;
    /** Cloudflare's API URL for the pool's health. */
    public readonly healthApiUrl: pulumi.Output<string>;
    /** The URL the monitor probes. */
    public readonly probeUrl: pulumi.Output<string>;

    constructor(name: string, args: AppOriginPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("AppOriginPool"), name, {}, opts);
        const outputs = createMonitoredPool(this, name, {
            component: `AppOriginPool ${name}`,
            role: "origin",
            accountId: args.accountId,
            poolName: args.poolName,
            address: args.originHostname,
            addressArgument: "originHostname",
            port: HTTPS_PORT,
            publicHostname: args.publicHostname,
            description: whenKnown(args.publicHostname, (hostname) => DESCRIPTIONS.pool("origin", hostname)),
            // The fallback pool stays enabled: disabling it would leave nowhere to fail open to.
            enabled: true,
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
