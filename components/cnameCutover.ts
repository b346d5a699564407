import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { PROXIED_TTL } from "./defaults";

export interface CnameCutoverArgs {
    /**
     * Cloudflare zone ID (32 hex characters). A plain string, not an output:
     * with `existingRecordId` it forms the import ID, which Pulumi needs
     * before the program runs.
     */
    zoneId: string;
    /** The public hostname whose CNAME this owns, e.g. `www.cq-route.com`. */
    hostname: pulumi.Input<string>;
    /** Where the CNAME points: the load balancer, origin or Cequence hostname, with no trailing dot. */
    target: pulumi.Input<string>;
    /**
     * ID of the hostname's existing DNS record (32 hex characters). When set,
     * that record is adopted (imported) instead of created. Pulumi imports it
     * and then updates whatever differs from these args, so adopt with `target`
     * equal to the record's current target, and change the target in a later
     * update (the guide's step 6).
     */
    existingRecordId?: string;
}

/**
 * The public hostname's proxied CNAME: the switch that puts Cequence in the
 * path (guide step 6). The record is protected and retained on delete, so no
 * `pulumi destroy` or refactor can remove a production hostname.
 */
export class CnameCutover extends pulumi.ComponentResource {
    /** The DNS record's ID. */
    public readonly recordId: pulumi.Output<string>;
    /** Where the CNAME points. */
    public readonly target: pulumi.Output<string>;

    constructor(name: string, args: CnameCutoverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("cloudflare-cequence:index:CnameCutover", name, {}, opts);
        const record = new cloudflare.DnsRecord(
            `${name}-record`,
            {
                zoneId: args.zoneId,
                name: args.hostname,
                type: "CNAME",
                content: args.target,
                proxied: true,
                ttl: PROXIED_TTL,
            },
            {
                parent: this,
                protect: true,
                retainOnDelete: true,
                // A record's comment and tags are its people's notes, not routing: an adopted record keeps
                // them (the engine carries the live values through the update that follows an import).
                ignoreChanges: ["comment", "tags"],
                import: args.existingRecordId === undefined ? undefined : `${args.zoneId}/${args.existingRecordId}`,
            },
        );
        this.recordId = record.id;
        this.target = pulumi.output(args.target);
        this.registerOutputs({ recordId: this.recordId, target: this.target });
    }
}
