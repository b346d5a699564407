/**
 * The zone's URL normalization, read for a stack with `apps[].paths`: it
 * decides which path the load balancer rule compares. With it on, Cloudflare
 * normalizes the URL "before [it passes] to subsequent global network features
 * that accept a URL input"; with it off, the rule sees the path as the client
 * sent it, and a path the origin decodes to a listed one (`/%6Cogin`,
 * `/x/../login`) skips Cequence. docs/paths.md gives the sources.
 */
import type { URLNormalizationGetResponse } from "cloudflare/resources/url-normalization/url-normalization";
import type { StackConfig } from "../../config/schema";
import type { CloudflareRead } from "./cloudflareSession";
import { unlessRefused } from "./unlessRefused";
import { URL_NORMALIZATION_PERMISSIONS } from "./permissions";

export type UrlNormalization = Pick<URLNormalizationGetResponse, "scope" | "type">;

/** The zone's setting, and what it means for the path rules. */
export interface PathNormalization {
    /** Null when the token may not read it. */
    setting: UrlNormalization | null;
    /** In plain words, what the path rules may miss; null when they see the normalized path. */
    warning: string | null;
}

/** Where the user changes it. */
const WHERE = "dashboard → the zone → Rules → Settings → URL normalization";

/** What the setting means for a rule that compares `http.request.uri.path`; null when the rule sees the path normalized the Cloudflare way. */
export function normalizationWarning(setting: UrlNormalization | null): string | null {
    if (setting === null) {
        return `could not read the zone's URL normalization (the token lacks ${URL_NORMALIZATION_PERMISSIONS.join(", ")}), so whether the path rule sees encoded or dotted paths as the origin will is unknown; check ${WHERE}: "Normalize incoming URLs" on, type Cloudflare`;
    }
    if (setting.scope === "none") {
        return `the zone's URL normalization is off (scope none), so the path rule compares each path exactly as the client sent it: /%6Cogin or /static/../login is no listed path to the rule and goes straight to the origin, which may read it as /login. Turn "Normalize incoming URLs" on, type Cloudflare (${WHERE})`;
    }
    if (setting.type === "rfc3986") {
        return `the zone's URL normalization is RFC 3986 only (type rfc3986): backslashes are percent-encoded, not turned into slashes, and repeated slashes are kept, so /login\\ or //login is no listed path to the rule and goes straight to the origin, which may read it as /login (IIS takes \\ for /). Choose type Cloudflare (${WHERE})`;
    }
    return null;
}

/** How many requests {@link readPathNormalization} sends for the config. */
export function pathNormalizationRequests(config: Pick<StackConfig, "apps">): number {
    return config.apps.some((app) => app.paths !== undefined) ? 1 : 0;
}

/**
 * The zone's URL normalization, when an app lists paths; undefined (no
 * request) otherwise. A token that may not read it is not an error: the
 * warning says so and names the permission.
 */
export async function readPathNormalization(read: CloudflareRead, config: Pick<StackConfig, "apps" | "zoneId">): Promise<PathNormalization | undefined> {
    if (pathNormalizationRequests(config) === 0) return undefined;
    const setting = await read.request({ action: "read the zone's URL normalization", scope: "zone" }, async (client, options) => {
        const answer = await unlessRefused(() => client.urlNormalization.get({ zone_id: config.zoneId }, options));
        return answer ? { scope: answer.scope, type: answer.type } : null;
    });
    return { setting, warning: normalizationWarning(setting) };
}
