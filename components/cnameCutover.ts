import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentProblems, isKnown, type Checked } from "./argumentChecks";
import { cloudflareIdProblem } from "./cloudflareIds";
import { PROXIED_TTL } from "./defaults";
import { checkedHostname, normaliseHostname } from "./hostnames";
import { componentType } from "./naming";

/** Why a record to adopt needs its zone's ID now: the import ID is a resource option, never an output. */
export const IMPORT_NEEDS_KNOWN_ZONE_ID =
    "must be known when the component is built with existingRecordId: Pulumi needs the import ID <zoneId>/<existingRecordId> before anything is registered";

export interface CnameCutoverArgs {
    /**
     * Cloudflare zone ID (32 hex characters). With `existingRecordId` it forms
     * the import ID, which Pulumi needs before anything is registered: then it
     * must be known when the component is built.
     */
    zoneId: pulumi.Input<string>;
    /**
     * The public hostname whose CNAME this owns, e.g. `www.cq-route.com`;
     * normalised as the stack's config does it and Cloudflare stores it (lower
     * case, no trailing dot).
     */
    hostname: pulumi.Input<string>;
    /** Where the CNAME points: the load balancer, origin or Cequence hostname; normalised as `hostname`, and never `hostname` itself. */
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
        super(componentType("CnameCutover"), name, {}, opts);
        const problems = new ArgumentProblems(this, `CnameCutover ${name}`);
        const zoneId = problems.check(args.zoneId, (given) => {
            const problem = cloudflareIdProblem(given);
            return { value: given, problems: problem === undefined ? [] : [{ path: "zoneId", message: problem }] };
        });
        const hostname = problems.check(args.hostname, (given) => checkedHostname("hostname", given));
        if (args.existingRecordId !== undefined) {
            problems.add("existingRecordId", cloudflareIdProblem(args.existingRecordId));
            if (!isKnown(args.zoneId)) problems.add("zoneId", IMPORT_NEEDS_KNOWN_ZONE_ID);
        }
        // Checked against the hostname, as both resolve: a record pointing at itself loops. With the
        // hostname known now (as ProtectedHostname gives it), only the target waits: one output fewer a record.
        const target = isKnown(args.hostname)
            ? problems.check(args.target, (goal) => checkedTarget(goal, args.hostname as string))
            : problems.check({ given: args.hostname, goal: args.target }, ({ given, goal }) => checkedTarget(goal, given));
        problems.refuseKnown();
        const record = new cloudflare.DnsRecord(
            `${name}-record`,
            {
                zoneId,
                name: hostname,
                type: "CNAME",
                content: target,
                proxied: true,
                ttl: PROXIED_TTL,
            },
            {
                parent: this,
                // Whatever the cutover waits for (the load balancer, the checks against the live zone), the
                // record waits for explicitly: it is the switch, changed only when everything else is in place.
                dependsOn: opts?.dependsOn,
                protect: true,
                retainOnDelete: true,
                // A record's comment and tags are its people's notes, not routing: an adopted record keeps
                // them (the engine carries the live values through the update that follows an import).
                ignoreChanges: ["comment", "tags"],
                import: args.existingRecordId === undefined ? undefined : `${args.zoneId as string}/${args.existingRecordId}`,
            },
        );
        this.recordId = record.id;
        this.target = pulumi.output(target);
        // Every value the component gives is a child's or the stack's too, so none is registered twice: a
        // component's registered outputs are only its state entry, which the file backend rewrites at every step
        // (docs/benchmark.md, "pulumi up with the real engine").
        this.registerOutputs({});
    }
}

/** The target normalised; refused when it is no DNS name, or the hostname itself. */
function checkedTarget(goal: string, hostname: string): Checked<string> {
    const checked = checkedHostname("target", goal);
    if (checked.problems.length === 0 && checked.value === normaliseHostname(hostname)) {
        checked.problems.push({ path: "target", message: `must not be the hostname itself (${checked.value}): the record would point at itself` });
    }
    return checked;
}
