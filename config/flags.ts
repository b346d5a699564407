/**
 * The tools' flags that messages elsewhere name. No imports: a tool's
 * command line reads this before it loads the config's schema, if ever.
 */

/** How a tool reads the config through the Pulumi CLI instead (README, "Encrypted values and ESC environments"). */
export const FROM_PULUMI_FLAG = "--from-pulumi";
