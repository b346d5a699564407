/**
 * The tools' flags that messages elsewhere name. No imports: a tool's
 * command line reads this before it loads the config's schema, if ever.
 */

/** How a tool reads the config through the Pulumi CLI instead (docs/configuration.md, "Encrypted values and ESC environments in the tools"). */
export const FROM_PULUMI_FLAG = "--from-pulumi";
