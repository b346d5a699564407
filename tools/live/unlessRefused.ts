/**
 * Kept apart from cloudflareSession.ts, which loads Cloudflare's SDK: the
 * modules that use it are loaded by `--help` too, which must not load the SDK.
 */

/**
 * The call's answer, or undefined when Cloudflare would not give it to this
 * token (400, 401, 403) or has no such operation for it (404): for the
 * optional reads (URL normalization, the token's own policies, the
 * subscriptions), which warn instead of ending the run. A wrong account or
 * zone is still caught by the reads that are not optional.
 */
export async function unlessRefused<T>(call: () => PromiseLike<T>): Promise<T | undefined> {
    try {
        return await call();
    } catch (error) {
        if ([400, 401, 403, 404].includes((error as { status?: number }).status ?? 0)) return undefined;
        throw error;
    }
}
