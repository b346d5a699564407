/**
 * Cloudflare's object IDs (accounts, zones, DNS records) as the components
 * check them: 32 lower-case hex characters, as the config's schema requires.
 * No imports: the package ships this file.
 */

const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;

/** Why `value` is not a Cloudflare ID, or undefined. */
export function cloudflareIdProblem(value: unknown): string | undefined {
    if (typeof value === "string" && CLOUDFLARE_ID.test(value)) return undefined;
    return `must be 32 lower-case hex characters, got ${JSON.stringify(value) ?? String(value)}`;
}
