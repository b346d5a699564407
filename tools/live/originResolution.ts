/**
 * An origin pool's address must resolve: Cloudflare's API says a pool origin's
 * hostname "should resolve directly to the origin" (load-balancing_address in
 * the OpenAPI subset, vendor/cloudflare-openapi, quoted in full in
 * proxiedOrigin.ts, which checks the "not proxied" half;
 * https://developers.cloudflare.com/api/resources/load_balancers/subresources/pools/methods/create/).
 * `preflight` looks each distinct origin hostname up once, a few at a time,
 * with the resolver its IO gives (Node's `dns.promises.lookup` by default), so
 * it needs neither the pools nor the zone: it works before the first `up`.
 */
import type { ResolveHostname } from "./commandLine";

/** Lookups in flight at once: a stack has few distinct origins, and a resolver need not see them all together. */
export const RESOLVE_BOUND = 8;

/** What a resolver's error code means for the user, and what to do about it. */
const CODE_ADVICE: Readonly<Record<string, string>> = {
    ENOTFOUND: "no such name in DNS",
    ENODATA: "the name has no address record",
    EAI_AGAIN: "the resolver did not answer; check this machine's DNS and run preflight again",
};

/**
 * Of `origins`, those whose hostname does not resolve, each as a problem under
 * its config key with the resolver's error code and the fix. Each distinct
 * hostname is looked up once, at most {@link RESOLVE_BOUND} at a time; never rejects.
 */
export async function unresolvedOrigins(
    origins: ReadonlyArray<{ key: string; hostname: string }>,
    resolve: ResolveHostname,
): Promise<Array<{ key: string; message: string }>> {
    const hostnames = [...new Set(origins.map((origin) => origin.hostname))];
    const failures = new Map<string, string>();
    let next = 0;
    const worker = async () => {
        while (next < hostnames.length) {
            const hostname = hostnames[next++]!;
            try {
                await resolve(hostname);
            } catch (error) {
                failures.set(hostname, describeFailure(error));
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(RESOLVE_BOUND, hostnames.length) }, worker));
    return origins.flatMap(({ key, hostname }) => {
        const failure = failures.get(hostname);
        if (failure === undefined) return [];
        return [
            {
                key,
                message:
                    `${hostname} does not resolve (${failure}), and Cloudflare says a pool's origin hostname "should resolve directly to the origin": ` +
                    `create its A, AAAA or CNAME record (DNS-only) in public DNS, or set ${key} to a hostname that resolves`,
            },
        ];
    });
}

function describeFailure(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== "string") return error instanceof Error ? error.message : String(error);
    const advice = CODE_ADVICE[code];
    return advice === undefined ? code : `${code}: ${advice}`;
}
