/**
 * DNS names as the config, the components and Cloudflare treat them:
 * normalised as Cloudflare stores them, and checked against DNS's syntax and
 * length limits. No runtime imports: the live tools and the package load this.
 */
import type { Problem } from "./problems";

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A fully qualified DNS name; case and one trailing dot are normalised away, as Cloudflare does. */
export function normaliseHostname(text: string): string {
    return text.trim().toLowerCase().replace(/\.$/, "");
}

export function isDnsHostname(name: string): boolean {
    const labels = name.split(".");
    return (
        name.length <= 253 &&
        labels.length >= 2 &&
        labels.every((label) => DNS_LABEL.test(label)) &&
        !/^[0-9]+$/.test(labels[labels.length - 1]!)
    );
}

/** Why `name` (normalised) is no DNS hostname, or undefined. */
export function hostnameProblem(name: string): string | undefined {
    if (isDnsHostname(name)) return undefined;
    return `must be a DNS hostname such as origin-www.example.com (letters, digits and hyphens in dot-separated labels; no scheme, port, path or IP address), got ${JSON.stringify(name)}`;
}

/** A hostname argument normalised, and why it is no DNS hostname (under `path`), if it is not. */
export function checkedHostname(path: string, given: string): { value: string; problems: Problem[] } {
    const value = normaliseHostname(given);
    const problem = hostnameProblem(value);
    return { value, problems: problem === undefined ? [] : [{ path, message: problem }] };
}

/** DNS's limits (RFC 1035): 63 characters a label, 253 a name. */
const DNS_LIMITS = { label: 63, name: 253 } as const;

/** Why `name` (made of DNS-label characters) breaks DNS's length limits, or undefined. */
export function dnsLengthProblem(name: string): string | undefined {
    if (name.length > DNS_LIMITS.name) return `is ${name.length} characters long (DNS allows ${DNS_LIMITS.name})`;
    const long = name.split(".").find((label) => label.length > DNS_LIMITS.label);
    return long ? `has the label ${long}, ${long.length} characters long (DNS allows ${DNS_LIMITS.label})` : undefined;
}
