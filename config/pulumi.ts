/**
 * Reads the stack's config from the Pulumi runtime. Only the program calls
 * this; the tools read stack files with `./stackFile`.
 */
import * as pulumi from "@pulumi/pulumi";
import { formatIssues } from "./messages";
import { parseStackConfig } from "./parse";
import type { RawStackConfig } from "./rawConfig";
import type { StackConfig } from "./schema";

type RuntimeWithSecrets = typeof pulumi.runtime & { isConfigSecret?: (key: string) => boolean };

/** The config as the Pulumi engine (or its mocks) handed it to this process. */
function rawConfigFromRuntime(): RawStackConfig {
    const values = pulumi.runtime.allConfig();
    const isConfigSecret = (pulumi.runtime as RuntimeWithSecrets).isConfigSecret;
    if (typeof isConfigSecret !== "function") {
        throw new Error("this @pulumi/pulumi has no runtime.isConfigSecret; the plaintext-token check cannot run");
    }
    return { values, secretKeys: Object.keys(values).filter((key) => isConfigSecret(key)) };
}

/**
 * Parses the stack's config, or stops the program with every problem listed.
 * A `RunError` ends the update before any resource is registered, without a
 * stack trace.
 */
export function loadStackConfig(raw: RawStackConfig = rawConfigFromRuntime()): StackConfig {
    const result = parseStackConfig(raw);
    if (result.ok) return result.config;
    throw new pulumi.RunError(
        `Invalid config for stack ${pulumi.getStack()} (${result.issues.length} problem${result.issues.length === 1 ? "" : "s"}):\n${formatIssues(result.issues)}`,
    );
}
