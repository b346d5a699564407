/**
 * Reads a `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it to a program:
 * top-level values as strings, objects and lists as JSON, `secure:` values
 * marked secret. The tools use this, so they need no CLI and no state.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, YAMLParseError } from "yaml";
import type { RawStackConfig } from "./rawConfig";

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
    const config = (document as { config?: unknown }).config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new Error(`${source}: \`config\` must be a map of keys to values`);
    }
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (isSecure(value)) {
            values[key] = ENCRYPTED_PLACEHOLDER;
            secretKeys.push(key);
        } else if (typeof value === "object" && value !== null) {
            values[key] = JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
        } else {
            values[key] = String(value);
        }
    }
    return { values, secretKeys };
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
