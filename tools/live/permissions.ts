/**
 * What each live tool's API token needs, as the dashboard's "Create Custom
 * Token" page names the permissions; listed when Cloudflare refuses the token.
 */

/** Reading the deployment: pools, monitors, load balancers and records. */
export const READ_PERMISSIONS: readonly string[] = [
    "Account · Load Balancing: Monitors And Pools · Read",
    "Zone · Load Balancers · Read",
    "Zone · DNS · Read",
];

/** `status` and `preflight` read the zone itself (Zone Details): whether it is active and not paused, and its plan. */
export const ZONE_PERMISSIONS: readonly string[] = ["Zone · Zone · Read"];

/**
 * With `apps[].paths`, `status` and `preflight` read the zone's URL
 * normalization; the API accepts any of a long list of permissions for it,
 * this the narrowest ("Get URL Normalization settings", Accepted Permissions).
 * Without it they warn instead of failing.
 */
export const URL_NORMALIZATION_PERMISSIONS: readonly string[] = ["Zone · Config Settings · Read"];

/** Cloudflare counts a preview as a write to monitors and pools, though it changes nothing. */
export const PREVIEW_PERMISSIONS: readonly string[] = ["Account · Load Balancing: Monitors And Pools · Edit"];
