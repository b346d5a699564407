/**
 * What the provider functions answer when the program runs offline (plan,
 * tests, benchmark). Any function not listed here fails the run.
 */
import type { CallHandlers } from "./mockEngine";

/**
 * Cloudflare's published ranges (https://www.cloudflare.com/ips/) as a
 * sample; a real `pulumi up` reads the current list from the API.
 */
export const SAMPLE_CLOUDFLARE_IP_RANGES = {
    ipv4Cidrs: [
        "173.245.48.0/20", "103.21.244.0/22", "103.22.200.0/22", "103.31.4.0/22", "141.101.64.0/18",
        "108.162.192.0/18", "190.93.240.0/20", "188.114.96.0/20", "197.234.240.0/22", "198.41.128.0/17",
        "162.158.0.0/15", "104.16.0.0/13", "104.24.0.0/14", "172.64.0.0/13", "131.0.72.0/22",
    ],
    ipv6Cidrs: [
        "2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32",
        "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32",
    ],
};

/**
 * The provider (6.15.0, terraform-provider-cloudflare v5.19) fails a read by
 * the deprecated `rulesetId` ("Attribute Deprecated: Configure id instead"),
 * so offline runs refuse it too.
 */
function rulesetIdOf(inputs: Record<string, unknown>): unknown {
    if ("rulesetId" in inputs) throw new Error("getRuleset: `rulesetId` is deprecated and the provider refuses it; pass `id`");
    return inputs.id;
}

/**
 * Offline, the zone is as safe as it can be for a plan: no managed transform
 * is on (so True-Client-IP meets no conflict), the zone has no request-header
 * transform ruleset yet (the plan shows the stack creating it with its rule
 * alone), and an adopted ruleset (`edgeAuth.existingRulesetId`) is the zone's
 * request-header transform ruleset with no other team's rules. A real
 * `preview` or `up` reads all three from Cloudflare before anything is created.
 */
export const OFFLINE_CALLS: CallHandlers = {
    "cloudflare:index/getManagedTransforms:getManagedTransforms": (inputs) => ({
        id: inputs.zoneId,
        zoneId: inputs.zoneId,
        managedRequestHeaders: [],
        managedResponseHeaders: [],
    }),
    "cloudflare:index/getRulesets:getRulesets": (inputs) => ({
        id: inputs.zoneId,
        zoneId: inputs.zoneId,
        rulesets: [],
    }),
    "cloudflare:index/getRuleset:getRuleset": (inputs) => ({
        id: rulesetIdOf(inputs),
        zoneId: inputs.zoneId,
        kind: "zone",
        phase: "http_request_late_transform",
        name: "default",
        description: "",
        lastUpdated: "2026-01-01T00:00:00Z",
        version: "1",
        rules: [],
    }),
    "cloudflare:index/getIpRanges:getIpRanges": () => ({
        ...SAMPLE_CLOUDFLARE_IP_RANGES,
        etag: "offline-sample",
        jdcloudCidrs: [],
    }),
};
