/**
 * The stack's config for a live tool: the stack file (or, with
 * `--from-pulumi`, the Pulumi CLI's answer), validated by the same schema as
 * the program, every problem a {@link CliError}. commandLine.ts loads this
 * module only once a command needs the config.
 */
import { formatIssues } from "../../config/messages";
import { parseStackConfig } from "../../config/parse";
import type { StackConfig } from "../../config/schema";
import { readConfigThroughCli } from "../../config/pulumiCli";
import { readStackFile, stackFilePath } from "../../config/stackFile";
import { unreadableNotes } from "../../config/unreadable";
import { CliError } from "./cliError";
import type { CliIo, CommonOptions } from "./commandLine";

export interface LoadedConfig {
    config: StackConfig;
    configFile: string;
}

/**
 * The stack's config, validated by the same schema as the program, from the
 * stack file or, with `--from-pulumi`, the Pulumi CLI (run with `io.env`).
 * Notes on what the stack file alone cannot tell go to stderr.
 */
export function readStackConfig(options: CommonOptions, io: Pick<CliIo, "env" | "stderr">): LoadedConfig {
    const configFile = stackFilePath(options.dir, options.stack);
    let raw;
    try {
        raw = options.fromPulumi ? readConfigThroughCli(options.dir, options.stack, io.env) : readStackFile(configFile);
    } catch (error) {
        // Only a missing file means another stack was meant; a file that does not parse says why itself.
        const missing = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
        throw new CliError(missing ? `${(error as Error).message}. Name an existing stack with --stack <name>.` : (error as Error).message);
    }
    const parsed = parseStackConfig(raw);
    if (!parsed.ok) {
        const count = parsed.issues.length;
        throw new CliError(`Invalid config in ${configFile} (${count} problem${count === 1 ? "" : "s"}):\n${formatIssues(parsed.issues)}`);
    }
    for (const note of unreadableNotes(raw, configFile)) io.stderr.write(`note: ${note}\n`);
    return { config: parsed.config, configFile };
}
