import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

import { CONFLICTS_WITH_TRUE_CLIENT_IP, TRUE_CLIENT_IP_TRANSFORM } from "./defaults";
import { componentType } from "./naming";

export interface TrueClientIpArgs {
    /**
     * Cloudflare zone ID (32 hex characters). A plain string: it is the import
     * ID by which the zone's existing managed transforms are adopted.
     */
    zoneId: string;
    /** Request-header managed transforms that must be on, besides True-Client-IP. */
    keepRequestTransforms?: string[];
    /** Response-header managed transforms that must be on. */
    keepResponseTransforms?: string[];
}

interface Transform {
    id: string;
    enabled: boolean;
}

/**
 * Turns on Cloudflare's True-Client-IP header (guide, appendix D; Enterprise)
 * so Cequence and the origin see the visitor's address.
 *
 * The zone's managed transforms are one object in Cloudflare: whoever manages
 * it owns every transform, and an update turns off any transform it does not
 * list. So this adopts the zone's state (`import`), reads which transforms are
 * on at deploy time and keeps them all on, adds the ones asked for, and is
 * retained on delete so that `pulumi destroy` leaves the zone's headers as
 * they are.
 */
export class TrueClientIp extends pulumi.ComponentResource {
    /** The request-header transforms on after this is applied. */
    public readonly enabledRequestTransforms: pulumi.Output<string[]>;
    /** The response-header transforms on after this is applied. */
    public readonly enabledResponseTransforms: pulumi.Output<string[]>;

    constructor(name: string, args: TrueClientIpArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("TrueClientIp"), name, {}, opts);
        const live = cloudflare.getManagedTransformsOutput({ zoneId: args.zoneId }, { parent: this });
        const keepOn = (current: Transform[], wanted: string[]) =>
            [...new Set([...current.filter((t) => t.enabled).map((t) => t.id), ...wanted])].sort();
        this.enabledRequestTransforms = live.managedRequestHeaders.apply((current) => {
            const request = keepOn(current, [...(args.keepRequestTransforms ?? []), TRUE_CLIENT_IP_TRANSFORM]);
            if (request.includes(CONFLICTS_WITH_TRUE_CLIENT_IP)) {
                throw new pulumi.RunError(
                    `Zone ${args.zoneId} has the managed transform ${CONFLICTS_WITH_TRUE_CLIENT_IP} on, which Cloudflare refuses together with ${TRUE_CLIENT_IP_TRANSFORM}. Turn it off in the dashboard (Rules → Settings → Managed Transforms) or set trueClientIp: false.`,
                );
            }
            return request;
        });
        this.enabledResponseTransforms = live.managedResponseHeaders.apply((current) => keepOn(current, args.keepResponseTransforms ?? []));
        const enabled = (ids: string[]) => ids.map((id) => ({ id, enabled: true }));
        new cloudflare.ManagedTransforms(
            `${name}-transforms`,
            {
                zoneId: args.zoneId,
                managedRequestHeaders: this.enabledRequestTransforms.apply(enabled),
                managedResponseHeaders: this.enabledResponseTransforms.apply(enabled),
            },
            { parent: this, import: args.zoneId, retainOnDelete: true },
        );
        this.registerOutputs({
            enabledRequestTransforms: this.enabledRequestTransforms,
            enabledResponseTransforms: this.enabledResponseTransforms,
        });
    }
}
