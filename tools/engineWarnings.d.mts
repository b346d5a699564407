/** Holds npm's engine warnings (EBADENGINE) during an install; see engineWarnings.mjs. */
export declare class EngineWarnings {
    /** Takes a line of npm's stderr if it belongs to an engine warning; false to pass it through. */
    offer(line: string): boolean;
    /** What to print once the install has ended: kept warnings word for word, settled ones in one line. */
    report(installedNode: string | undefined, satisfies: (version: string, range: string) => boolean): string[];
}
