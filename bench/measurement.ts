/** What every measured child process shares: how it reports its one result. */

/** Peak resident memory of this process so far, in MiB (`resourceUsage` reports KiB). */
export function peakRssMiB(): number {
    return process.resourceUsage().maxRSS / 1024;
}

/** Runs a child's measurement and prints its result as one JSON line; on failure, the error and exit 1. */
export function reportMeasurement(measure: () => Promise<object>): void {
    measure().then(
        (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
        (error: unknown) => {
            console.error(error);
            process.exit(1);
        },
    );
}
