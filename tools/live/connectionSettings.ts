/**
 * How the live tools send each request to Cloudflare: `--timeout` and
 * `--retries`, and their defaults. Apart from the session, so that parsing a
 * command line loads no SDK.
 */
export interface ConnectionSettings {
    /** Seconds one attempt may take, body included, before it is given up. */
    timeoutSeconds: number;
    /** Further attempts after a failed one. */
    retries: number;
}

/** Node's longest timer (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** 30 s per attempt and 2 retries (the SDK's own defaults): at worst 90 s plus backoff before a request gives up. */
export const DEFAULT_CONNECTION: Readonly<ConnectionSettings> = Object.freeze({ timeoutSeconds: 30, retries: 2 });
