import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { componentType } from "./naming";

export interface FailOpenAlertsArgs {
    /** Cloudflare account ID (32 hex characters); notification policies are account-level. */
    accountId: pulumi.Input<string>;
    /** IDs of the Cequence pools to watch. */
    cequencePoolIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Email addresses to notify. */
    emails?: string[];
    /** Cloudflare notification destination IDs of webhooks to call. */
    webhookIds?: string[];
    /** Cloudflare notification destination IDs of PagerDuty services to page. */
    pagerdutyIds?: string[];
    /** Prefix of the policies' names, e.g. the stack name. */
    label: pulumi.Input<string>;
}

/**
 * Tells the team when traffic fails open (a Cequence pool turns unhealthy or
 * healthy again; guide, appendix B) and when someone disables or enables a
 * Cequence pool (appendix C).
 */
export class FailOpenAlerts extends pulumi.ComponentResource {
    /** ID of the pool-health notification policy. */
    public readonly healthPolicyId: pulumi.Output<string>;
    /** ID of the pool-enablement notification policy. */
    public readonly enablementPolicyId: pulumi.Output<string>;

    constructor(name: string, args: FailOpenAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("FailOpenAlerts"), name, {}, opts);
        // Empty lists are left out: the provider reads them back as absent, a perpetual diff.
        const nonEmpty = (ids: string[] | undefined) => (ids && ids.length > 0 ? ids.map((id) => ({ id })) : undefined);
        const mechanisms = {
            emails: nonEmpty(args.emails),
            webhooks: nonEmpty(args.webhookIds),
            pagerduties: nonEmpty(args.pagerdutyIds),
        };
        const health = new cloudflare.NotificationPolicy(
            `${name}-health`,
            {
                accountId: args.accountId,
                name: pulumi.interpolate`${args.label}: Cequence pool health (fail-open)`,
                description: "A Cequence pool changed health: when unhealthy, traffic bypasses Cequence to the origin.",
                alertType: "load_balancing_health_alert",
                enabled: true,
                filters: { poolIds: args.cequencePoolIds, newHealths: ["Unhealthy", "Healthy"], eventSources: ["pool"] },
                mechanisms,
            },
            { parent: this },
        );
        const enablement = new cloudflare.NotificationPolicy(
            `${name}-enablement`,
            {
                accountId: args.accountId,
                name: pulumi.interpolate`${args.label}: Cequence pool enabled or disabled`,
                description: "A Cequence pool was disabled (Cequence forced out of line) or enabled again.",
                alertType: "load_balancing_pool_enablement_alert",
                enabled: true,
                filters: { poolIds: args.cequencePoolIds, enableds: ["true", "false"] },
                mechanisms,
            },
            { parent: this },
        );
        this.healthPolicyId = health.id;
        this.enablementPolicyId = enablement.id;
        this.registerOutputs({ healthPolicyId: this.healthPolicyId, enablementPolicyId: this.enablementPolicyId });
    }
}
