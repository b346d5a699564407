import { HTTPS_PORT } from "./defaults";

/**
 * Why `routing: cequence` cannot reach Cequence on `port`, or undefined when
 * it can. That routing is a proxied CNAME straight to Cequence (the guide's
 * appendix A), and Cloudflare connects to a proxied origin on the visitor's
 * scheme's port, 443 for HTTPS; only an Origin Rule in the zone's shared
 * origin ruleset could send it elsewhere, which this project does not own.
 * One rule for the stack's config and ProtectedHostname's arguments alike.
 */
export function directRoutingPortProblem(routing: string | undefined, port: number | undefined): string | undefined {
    if (routing !== "cequence" || port === undefined || port === HTTPS_PORT) return undefined;
    return (
        `cequence points the record straight at Cequence, and Cloudflare then connects on port ${HTTPS_PORT}, not ${port} where the Bridge listens; ` +
        `use routing: loadBalancer (its pool sends traffic to port ${port}) or a Cequence endpoint on ${HTTPS_PORT}`
    );
}
