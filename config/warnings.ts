/**
 * Valid configs that still deserve a second look before `pulumi up`. The
 * program logs each with `pulumi.log.warn`, so `pulumi preview` and `npm run
 * plan` show them.
 */
import { FAIL_OPEN_WARNING_SECONDS } from "../components/defaults";
import { worstCaseFailOpenSeconds } from "../components/failOpen";
import { hasLoadBalancer } from "../components/naming";
import { stackFootprint } from "./footprint";
import { EXISTING_LOAD_BALANCER_RUNBOOK } from "./runbooks";
import type { StackConfig } from "./schema";

export function configWarnings(config: StackConfig): string[] {
    const warnings: string[] = [];
    const loadBalanced = config.apps.filter(hasLoadBalancer);
    const failOpen = worstCaseFailOpenSeconds(config.cequence.monitor);
    if (loadBalanced.length > 0 && failOpen > FAIL_OPEN_WARNING_SECONDS) {
        warnings.push(
            `Traffic may take up to ${failOpen} s to fail open when Cequence is down; lower cequence.monitor.interval (or cequence.monitor.consecutiveDown) to fail open within ${FAIL_OPEN_WARNING_SECONDS} s.`,
        );
    }
    const { overLimits } = stackFootprint(config);
    if (overLimits.length > 0) {
        const shared = config.cequence.sharedPool ? "" : " cequence.sharedPool: true needs one Cequence pool for the whole stack instead of one per app.";
        warnings.push(`The stack needs ${overLimits.join("; ")} (Cloudflare's Load Balancing limits, for the whole account; Enterprise sets its own).${shared}`);
    }
    config.apps.forEach((app, index) => {
        // Pulumi imports, then updates an adopted record whose inputs differ: adoption would also cut over.
        if (app.existingRecordId && app.routing !== "origin") {
            warnings.push(
                `apps[${index}] (${app.hostname}): existingRecordId with routing: ${app.routing} adopts the record and repoints it in the same update, before the new pools were ever health-checked. Adopt with routing: origin first, check with npm run preflight, then cut over.`,
            );
        }
        if (!config.cequence.enabled && !hasLoadBalancer(app)) {
            warnings.push(
                `apps[${index}] (${app.hostname}): cequence.enabled: false cannot take Cequence out of line for routing: cequence (no load balancer); set routing: origin to bypass Cequence.`,
            );
        }
    });
    return warnings;
}

/**
 * What only a first `pulumi up` can trip over, for `npm run plan` (the
 * program cannot tell a first run from the hundredth, so it does not log
 * these): an app without `existingRecordId` has its record created, and
 * Cloudflare refuses that (81053) where the hostname already has one, as
 * every live site being cut over does.
 */
export function firstUpNotes(config: StackConfig): string[] {
    return config.apps.flatMap((app, index) =>
        app.existingRecordId
            ? []
            : [
                  `apps[${index}] (${app.hostname}): no existingRecordId, so \`pulumi up\` creates the record; it fails with 81053 if ${app.hostname} already has a record (A, AAAA or CNAME). ` +
                      `Before the first up, npm run preflight finds one; to take over a live hostname, set apps[${index}].existingRecordId to its ID (docs/runbooks.md, "Adopt an existing hostname, then cut over"). Once the stack created the record, this no longer applies.`,
              ],
    );
}

/**
 * For `npm run plan`, which cannot see the zone: a hostname that is already a
 * load balancer (as Load Balancing customers often run `www`) is answered with
 * that load balancer, not with the stack's CNAME ("If this hostname already
 * exists as a DNS record in Cloudflare's DNS, the Load Balancer will take
 * precedence and the DNS record will not be used", the API's load balancer
 * `name`), so its cutover follows a runbook of its own.
 */
export function existingLoadBalancerNote(config: StackConfig): string[] {
    if (config.apps.length === 0) return [];
    return [
        `${config.apps.map((app) => app.hostname).join(", ")}: if a hostname is already a Cloudflare load balancer, that load balancer takes precedence over the stack's CNAME (Cloudflare answers the name with it, not with the DNS record), so the cutover would change nothing and Cequence would stay out of the path. ` +
            `npm run preflight finds one (NOT READY); cut such a hostname over as ${EXISTING_LOAD_BALANCER_RUNBOOK} says.`,
    ];
}
