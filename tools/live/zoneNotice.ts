/**
 * What a zone that is not active, or paused, means for every app in it:
 * nothing Cloudflare holds for the zone is on any app's path. `status` prints
 * it over its table; `preflight` gives it as the reason no app is ready.
 */
import type { LiveZone } from "./deployment";

/** Why no app of a zone that is not active, or paused, has Cloudflare on its path; undefined for an active zone. */
export function zoneNotice(zone: LiveZone): string | undefined {
    if (zone.status !== "active") {
        const why =
            zone.status === "moved"
                ? "the domain's nameservers moved away from Cloudflare's"
                : "Cloudflare is waiting for the domain's nameservers to be changed to Cloudflare's (the zone's Overview lists them)";
        return `Zone ${zone.name} is NOT ACTIVE (status ${zone.status}): ${why}, so nothing Cloudflare holds for it, no record, load balancer or Cequence pool, is on any app's path.`;
    }
    if (zone.paused) {
        return `Zone ${zone.name} is PAUSED: Cloudflare answers its DNS and proxies nothing, so no load balancer and no Cequence is on the path of any app; unpausing the zone (Edit Zone, "paused": false) puts them back.`;
    }
    return undefined;
}
