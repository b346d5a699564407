import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

import { refuseArguments } from "./argumentChecks";
import { allDependencies, type DependsOn } from "./dependencies";
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

/** One managed transform, on or off. */
export interface Transform {
    /** The transform's ID, e.g. `add_true_client_ip_headers`. */
    id: string;
    /** Whether it is on. */
    enabled: boolean;
}

/** The zone's managed transforms as they are now. */
export interface LiveManagedTransforms {
    /** The request-header transforms. */
    managedRequestHeaders: Transform[];
    /** The response-header transforms. */
    managedResponseHeaders: Transform[];
}

/**
 * Reads the zone's managed transforms as they are now (once `after` exists),
 * and refuses, naming
 * the key and the fix, a zone that has on the transform Cloudflare refuses
 * together with True-Client-IP: the update would otherwise fail only when it
 * reached the transforms, after it had changed the rest.
 */
export function readManagedTransforms(zoneId: string, opts: pulumi.InvokeOptions = {}, after?: DependsOn): pulumi.Output<LiveManagedTransforms> {
    // Not before `after`: when that fails, this fails with its error, and reads nothing.
    return allDependencies(after).apply(() => liveManagedTransforms(zoneId, opts));
}

function liveManagedTransforms(zoneId: string, opts: pulumi.InvokeOptions): Promise<LiveManagedTransforms> {
    const refuse = (message: string) => new pulumi.ResourceError(`trueClientIp: ${message}; nothing was changed.`, opts.parent, true);
    return cloudflare.getManagedTransforms({ zoneId }, opts).then(
        (read) => {
            if (read.managedRequestHeaders.some((t) => t.id === CONFLICTS_WITH_TRUE_CLIENT_IP && t.enabled)) {
                throw refuse(
                    `zone ${zoneId} has the managed transform ${CONFLICTS_WITH_TRUE_CLIENT_IP} on, which Cloudflare refuses together with ${TRUE_CLIENT_IP_TRANSFORM}. ` +
                        "Turn it off in the dashboard (Rules → Settings → Managed Transforms) or set trueClientIp: false",
                );
            }
            return { managedRequestHeaders: read.managedRequestHeaders, managedResponseHeaders: read.managedResponseHeaders };
        },
        (error: unknown) => {
            throw refuse(
                `cannot read the managed transforms of zone ${zoneId} (${error instanceof Error ? error.message : String(error)}). ` +
                    "The stack keeps on every transform that is on, so it never writes them unread: give the API token Zone → Transform Rules → Read",
            );
        },
    );
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
        if (args.keepRequestTransforms?.includes(CONFLICTS_WITH_TRUE_CLIENT_IP)) {
            refuseArguments(this, `TrueClientIp ${name}`, [
                { path: "keepRequestTransforms", message: `${CONFLICTS_WITH_TRUE_CLIENT_IP} cannot be on together with ${TRUE_CLIENT_IP_TRANSFORM}; Cloudflare refuses the pair` },
            ]);
        }
        // Read after whatever this component waits for (the stack's own check of the zone, which read it first).
        const live = readManagedTransforms(args.zoneId, { parent: this }, opts?.dependsOn);
        const keepOn = (current: Transform[], wanted: string[]) =>
            [...new Set([...current.filter((t) => t.enabled).map((t) => t.id), ...wanted])].sort();
        this.enabledRequestTransforms = live.managedRequestHeaders.apply((current) =>
            keepOn(current, [...(args.keepRequestTransforms ?? []), TRUE_CLIENT_IP_TRANSFORM]),
        );
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
