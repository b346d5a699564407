/**
 * Reads a `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it to a program:
 * top-level values as strings, objects and lists as JSON, `secure:` values
 * marked secret. The tools use this, so they need no CLI and no state; what
 * only the CLI can read (`secure:` values, ESC environments) is listed, and
 * each encrypted value is a placeholder.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import type { RawStackConfig, UnreadableConfig } from "./rawConfig";

/** Stands in for a `secure:` value, which only the Pulumi CLI can decrypt. */
const ENCRYPTED_PLACEHOLDER = "[encrypted]";

export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(file: string): RawStackConfig {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new Error(`cannot read the stack file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
            cause: error,
        });
    }
    return rawConfigFromYaml(text, file);
}

function rawConfigFromYaml(text: string, source = "stack file"): RawStackConfig {
    // Integers stay exact (a Cloudflare ID of digits only must not become a float); merge keys
    // (`<<: *app`) work as the Pulumi CLI reads them.
    let document: unknown;
    try {
        document = parse(text, { intAsBigInt: true, merge: true }) ?? {};
    } catch (error) {
        if (!(error instanceof YAMLParseError)) throw error;
        throw new Error(describeSyntaxError(error, source), { cause: error });
    }
    const { config = {}, environment } = document as { config?: unknown; environment?: unknown };
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new Error(`${source}: \`config\` must be a map of keys to values`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const encrypted: string[] = [];
    for (const [key, given] of Object.entries(config as Record<string, unknown>)) {
        const found = encrypted.length;
        const value = withPlaceholders(given, key, encrypted);
        // Pulumi hands an object holding a secure value as a secret, as it does a secure value.
        if (encrypted.length > found) secretKeys.push(key);
        values[key] = typeof value === "object" && value !== null ? JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? Number(v) : v)) : String(value);
    }
    const unreadable: UnreadableConfig = { encrypted, environments: environmentNames(environment) };
    return { values, secretKeys, unreadable };
}

/** `value` with each `secure:` value in it replaced by the placeholder, whose key path (under `at`) is added to `found`. */
function withPlaceholders(value: unknown, at: string, found: string[]): unknown {
    if (isSecure(value)) {
        found.push(at);
        return ENCRYPTED_PLACEHOLDER;
    }
    if (Array.isArray(value)) return value.map((item, index) => withPlaceholders(item, `${at}[${index}]`, found));
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withPlaceholders(item, `${at}.${key}`, found)]));
}

/**
 * The ESC environments a stack file imports: `environment:` is a list of
 * names, or an environment written inline (its own `imports:` and `values:`),
 * which this names as such.
 */
function environmentNames(environment: unknown): string[] {
    if (environment === undefined || environment === null) return [];
    if (Array.isArray(environment)) return environment.map(String);
    const imports = (environment as { imports?: unknown }).imports;
    return [...(Array.isArray(imports) ? imports.map(String) : []), "<inline environment>"];
}

/**
 * `<file>:<line>:<col>: invalid YAML: <reason>`, then the offending lines as
 * the yaml library frames them (its message is the reason, ` at line L,
 * column C:`, and that frame), so the reason reads whole and the line shows.
 */
function describeSyntaxError(error: YAMLParseError, source: string): string {
    const at = error.linePos?.[0];
    const where = at ? `${source}:${at.line}:${at.col}` : source;
    // The frame follows a blank line; a blank line in it is a line of the file (the end, often).
    const [first = "", , ...frame] = error.message.split("\n");
    const reason = first.replace(/ at line \d+, column \d+:$/, "");
    return [`${where}: invalid YAML: ${reason}`, ...frame.map((line) => `    ${line}`.trimEnd())].join("\n").trimEnd();
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && Object.keys(value).length === 1 && "secure" in value;
}
