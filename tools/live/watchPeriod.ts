/**
 * How often `status --watch` may read, leaving room in the rate limit for the
 * emergency update. Cloudflare's limit is the user's, not the token's: "The
 * global rate limit for the Cloudflare API is 1200 requests per five minutes
 * per user, and applies cumulatively regardless of whether the request is
 * made via the dashboard, API key, or API token. If you exceed this limit,
 * all API calls for the next five minutes will be blocked"
 * (https://developers.cloudflare.com/fundamentals/api/reference/limits/).
 * A watch that used the whole limit during an incident would leave nothing
 * for the `pulumi up` that sets `cequence.enabled: false`, whatever token it
 * runs with, and going over would block that update for five minutes. So a
 * watch paces itself to use at most the limit less {@link EMERGENCY_HEADROOM}.
 */
import { CliError } from "./cliError";
import type { RateLimit } from "./requestBudget";

/**
 * The share of the user's limit a watch leaves to everything else: the
 * emergency `pulumi up` (which updates the Cequence pools: one pool with
 * `cequence.sharedPool`, one per app otherwise), a `status` run to check it,
 * and the dashboard.
 */
export const EMERGENCY_HEADROOM = 0.5;

/** What a watch may send per window: the limit less the headroom. */
export function watchRequestsPerWindow(limit: Readonly<RateLimit>): number {
    return Math.floor(limit.requests * (1 - EMERGENCY_HEADROOM));
}

/**
 * The period `--watch` reads at: the one asked for, unless reads of
 * `requestsPerRead` requests that often would use more than the watch's share
 * of the limit; then the shortest whole number of seconds that does not.
 * Refuses a stack whose one read needs more than that share.
 */
export function watchPeriod(askedSeconds: number, requestsPerRead: number, limit: Readonly<RateLimit>): { seconds: number; stretched: boolean } {
    const share = watchRequestsPerWindow(limit);
    const minimum = (requestsPerRead * limit.windowSeconds) / share;
    if (requestsPerRead > share) {
        throw new CliError(
            `--watch: one read of this stack sends about ${requestsPerRead} requests, more than --watch may use in ${limit.windowSeconds / 60} minutes (${share} of the ${limit.requests} Cloudflare allows a user, across all their tokens): the rest is left for the emergency \`pulumi up\` with cequence.enabled: false. Run status without --watch, on a schedule of at least ${Math.ceil(minimum)} s.`,
        );
    }
    return askedSeconds >= minimum ? { seconds: askedSeconds, stretched: false } : { seconds: Math.ceil(minimum), stretched: true };
}
