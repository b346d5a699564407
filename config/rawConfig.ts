/**
 * The stack's config as Pulumi hands it over: fully qualified keys and string
 * values. This reads the project's namespace out of it, and refuses what the
 * program would otherwise silently ignore or leak: project keys in another
 * namespace, and the API token in plain text.
 */
import { editDistance, knownKeysAt, type ConfigIssue } from "./messages";

/** The Pulumi project name, which is also the config namespace. */
export const CONFIG_NAMESPACE = "cloudflare-cequence";

/** The provider's token key: it must be stored as a secret. */
const API_TOKEN_KEY = "cloudflare:apiToken";

/**
 * Config as Pulumi hands it to a program: fully qualified keys, every value a
 * string (objects and lists as JSON), and the keys whose values are secrets.
 */
export interface RawStackConfig {
    values: Record<string, string>;
    secretKeys: readonly string[];
    /** Read from a stack file without the Pulumi CLI (the tools): what only the CLI can read. */
    unreadable?: UnreadableConfig;
}

/** What a stack file holds that only the Pulumi CLI can read. */
export interface UnreadableConfig {
    /** Key paths of `secure:` values, qualified (`cloudflare-cequence:cequence.hostname`); each value is a placeholder. */
    encrypted: readonly string[];
    /** The ESC environments the stack file imports (`environment:`), by name; empty when it imports none. */
    environments: readonly string[];
}

/** Top-level keys whose values are plain strings; Pulumi hands every other value as JSON. */
const STRING_KEYS = new Set(["accountId", "zoneId", "zone"]);

/** The project's keys, unqualified, with JSON values decoded. */
export function namespaceValues(values: Record<string, string>): Record<string, unknown> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        if (!key.startsWith(prefix)) continue;
        const name = key.slice(prefix.length);
        input[name] = STRING_KEYS.has(name) ? value : parseJsonOrKeep(value);
    }
    return input;
}

function parseJsonOrKeep(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/**
 * Keys of this project written in another namespace (`cequence:accountId`,
 * `cloudflare:zoneId`), or a nested key written as if its parent were the
 * namespace (`cequence:hostname`): Pulumi hands them over as they are and the
 * program would never read them, so they are refused with the key to write.
 */
export function checkNamespaces(raw: RawStackConfig): ConfigIssue[] {
    const topLevel = knownKeysAt([]);
    return Object.keys(raw.values).flatMap((key) => {
        const separator = key.lastIndexOf(":");
        const namespace = key.slice(0, separator);
        const name = key.slice(separator + 1);
        if (separator < 0 || namespace === CONFIG_NAMESPACE || !looksLikeOurs(namespace)) return [];
        const hint = (text: string) => [{ path: key, message: `is not read: the project's keys are in the ${CONFIG_NAMESPACE} namespace; ${text}` }];
        if (topLevel.includes(name)) return hint(`write ${CONFIG_NAMESPACE}:${name}`);
        if (topLevel.includes(namespace) && knownKeysAt([namespace]).includes(name)) {
            return hint(`write ${name} inside ${CONFIG_NAMESPACE}:${namespace} (${CONFIG_NAMESPACE}:${namespace}: { ${name}: … })`);
        }
        return [];
    });
}

/**
 * Namespaces a user may have meant for this project's: Cloudflare's provider
 * (which has none of these keys), anything naming Cequence, or a misspelling.
 * Other providers keep their own keys, `gcp:zone` among them.
 */
function looksLikeOurs(namespace: string): boolean {
    const lower = namespace.toLowerCase();
    return lower === "cloudflare" || lower.includes("cequence") || editDistance(lower, CONFIG_NAMESPACE) <= 3;
}

export function checkApiToken(raw: RawStackConfig): ConfigIssue[] {
    if (!(API_TOKEN_KEY in raw.values) || raw.secretKeys.includes(API_TOKEN_KEY)) return [];
    return [
        {
            path: API_TOKEN_KEY,
            message:
                "is stored in plain text in the stack file; remove it and run `pulumi config set --secret cloudflare:apiToken`, or set CLOUDFLARE_API_TOKEN in the environment",
        },
    ];
}
