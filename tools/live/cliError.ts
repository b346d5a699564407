/** A failure the user can fix: printed as is, with no stack trace, exit status 1. */
export class CliError extends Error {}
