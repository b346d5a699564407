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

/** A permission `pulumi up` needs, which `preflight` looks for in the token's own policies (tokenPolicies.ts). */
export interface WritePermission {
    /** As the dashboard's "Create Custom Token" page names it. */
    label: string;
    /** The names Cloudflare's API gives the permission groups that grant it; any one will do. */
    groups: readonly string[];
    /** What the policy's resources must cover: the stack's account, or its zone. */
    scope: "account" | "zone";
}

/**
 * What `pulumi up` writes with, as docs/workflow.md's table lists it. The API
 * names are those of Cloudflare's permissions reference and API token
 * templates ("Edit load balancing configuration": "Load Balancing: Monitors
 * and Pools Write" on the account, "Load Balancers Write" on the zone,
 * https://developers.cloudflare.com/fundamentals/api/reference/template/);
 * the rulesets API accepts either Transform Rules group for the
 * `http_request_late_transform` phase ("Update a zone entry point ruleset",
 * accepted permissions).
 */
export const WRITE_PERMISSIONS = {
    monitorsAndPools: { label: "Account · Load Balancing: Monitors And Pools · Edit", groups: ["Load Balancing: Monitors and Pools Write"], scope: "account" },
    loadBalancers: { label: "Zone · Load Balancers · Edit", groups: ["Load Balancers Write"], scope: "zone" },
    dns: { label: "Zone · DNS · Edit", groups: ["DNS Write"], scope: "zone" },
    transformRules: { label: "Zone · Transform Rules · Edit", groups: ["Zone Transform Rules Write", "Transform Rules Write"], scope: "zone" },
} as const satisfies Record<string, WritePermission>;

/**
 * A token may read its own policies only with this ("Token Details", accepted
 * permissions "API Tokens Write, API Tokens Read"; for an account-owned token
 * "Account API Tokens Read"). Without it `preflight` says the write
 * permissions could not be checked.
 */
export const TOKEN_SELF_READ_PERMISSIONS: readonly string[] = ["User · API Tokens · Read (Account · Account API Tokens · Read for an account-owned token)"];

/** The account's subscriptions, where `preflight` looks for Load Balancing ("List Subscriptions": Billing Read). */
export const BILLING_READ_PERMISSIONS: readonly string[] = ["Account · Billing · Read"];
