import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** Cloudflare's ID of the managed transform that adds True-Client-IP. */
export const TRUE_CLIENT_IP_TRANSFORM = "add_true_client_ip_headers";

export interface TrueClientIpArgs {
    /**
     * Cloudflare zone ID (32 hex characters). A plain string: it is the import
     * ID by which the zone's existing managed transforms are adopted.
     */
    zoneId: string;
    /** Request-header managed transforms already on in the zone that must stay on. */
    keepRequestTransforms?: string[];
    /** Response-header managed transforms already on in the zone that must stay on. */
    keepResponseTransforms?: string[];
}

/**
 * Turns on Cloudflare's True-Client-IP header (guide, appendix D; Enterprise)
 * so Cequence and the origin see the visitor's address.
 *
 * The zone's managed transforms are one object in Cloudflare: whoever manages
 * it owns every transform, and any transform not listed is turned off. So this
 * adopts the zone's current state (`import`) instead of creating it, lists the
 * transforms to keep, and is retained on delete so that `pulumi destroy`
 * leaves the zone's headers as they are.
 */
export class TrueClientIp extends pulumi.ComponentResource {
    /** The request-header transforms on after this is applied. */
    public readonly enabledRequestTransforms: pulumi.Output<string[]>;

    constructor(name: string, args: TrueClientIpArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudflare-cequence:index:TrueClientIp", name, {}, opts);
        const request = [...new Set([...(args.keepRequestTransforms ?? []), TRUE_CLIENT_IP_TRANSFORM])].sort();
        const response = [...new Set(args.keepResponseTransforms ?? [])].sort();
        const enabled = (ids: string[]) => ids.map((id) => ({ id, enabled: true }));
        new cloudflare.ManagedTransforms(
            `${name}-transforms`,
            {
                zoneId: args.zoneId,
                managedRequestHeaders: enabled(request),
                managedResponseHeaders: enabled(response),
            },
            { parent: this, import: args.zoneId, retainOnDelete: true },
        );
        this.enabledRequestTransforms = pulumi.output(request);
        this.registerOutputs({ enabledRequestTransforms: this.enabledRequestTransforms });
    }
}
