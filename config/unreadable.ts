/**
 * What the tools cannot read in a stack file without the Pulumi CLI, said by
 * key with what to do: an encrypted (`secure:`) value, and keys an ESC
 * environment may set. The program itself gets both from the CLI, resolved.
 */
import { FROM_PULUMI_FLAG } from "./flags";
import type { ConfigIssue } from "./messages";
import { CONFIG_NAMESPACE, type RawStackConfig } from "./rawConfig";

const ENCRYPTED_MESSAGE = `is encrypted (secure:), which only the Pulumi CLI can decrypt: set it in plain text (the project's keys are not secrets), or add ${FROM_PULUMI_FLAG} to read the config through the Pulumi CLI`;

/**
 * The issues as users should read them when the config comes from a stack
 * file: each encrypted project key is one issue saying so, in place of what
 * the schema says of its placeholder; a required key that is missing names
 * the ESC environments that may set it.
 */
export function explainUnreadable(raw: RawStackConfig, issues: readonly ConfigIssue[]): ConfigIssue[] {
    if (raw.unreadable === undefined) return [...issues];
    const prefix = `${CONFIG_NAMESPACE}:`;
    const encrypted = raw.unreadable.encrypted.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    const under = (path: string, key: string) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`);
    const environments = describeEnvironments(raw.unreadable.environments);
    const explained = issues
        .filter((issue) => !encrypted.some((key) => under(issue.path, key)))
        .map((issue) =>
            environments !== undefined && issue.message === "is required"
                ? { ...issue, message: `is required; the stack file imports ${environments}, which may set it and only the Pulumi CLI can open: add ${FROM_PULUMI_FLAG}, or set it in the stack file` }
                : issue,
        );
    return [...encrypted.map((path) => ({ path, message: ENCRYPTED_MESSAGE })), ...explained];
}

/** What a tool should say of a valid config it read without the CLI: the ESC environments whose keys it did not read. */
export function unreadableNotes(raw: RawStackConfig, configFile: string): string[] {
    const environments = describeEnvironments(raw.unreadable?.environments ?? []);
    if (environments === undefined) return [];
    return [
        `${configFile} imports ${environments}, which the offline tools cannot open: keys it sets are not read, and defaults apply where the stack file is silent; add ${FROM_PULUMI_FLAG} to read them through the Pulumi CLI.`,
    ];
}

function describeEnvironments(names: readonly string[]): string | undefined {
    if (names.length === 0) return undefined;
    return `the ESC environment${names.length === 1 ? "" : "s"} ${names.join(", ")}`;
}
