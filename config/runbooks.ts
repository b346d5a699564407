/** Runbooks the tools point users to, defined once for `plan` (offline) and the live tools. */

/** Cutting over a hostname that is already a Cloudflare load balancer. */
export const EXISTING_LOAD_BALANCER_RUNBOOK = "docs/existing-load-balancer.md";
