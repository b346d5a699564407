/**
 * The stack configs the benchmark runs: N load-balanced apps in one zone,
 * each with its own origin monitor, the shape a large user's stack has.
 */
import type { RawStackConfig } from "../config/rawConfig";

const BENCH_ZONE = "bench.example.com";

/**
 * config/schema's CONFIG_NAMESPACE, repeated rather than imported: importing
 * it would load zod into the measured process before the timer starts, and
 * hide part of the program's cost. tests/benchBaseline.test.ts checks the two agree.
 */
const NAMESPACE = "cloudflare-cequence";

/** The config as a user writes it in a stack file, keys unqualified. */
export function benchConfig(appCount: number): Record<string, unknown> {
    return {
        accountId: "0123456789abcdef0123456789abcdef",
        zoneId: "fedcba9876543210fedcba9876543210",
        zone: BENCH_ZONE,
        cequence: { hostname: "bench.example.cequence.ai", monitor: { path: "/health" } },
        apps: Array.from({ length: appCount }, (_, index) => ({
            hostname: `app${index}.${BENCH_ZONE}`,
            origin: `origin-app${index}.${BENCH_ZONE}`,
            monitor: { path: "/health", expectedCodes: "2xx" },
        })),
    };
}

/** {@link benchConfig} as the Pulumi CLI hands it to a program. */
export function benchRawConfig(appCount: number): RawStackConfig {
    const values = Object.entries(benchConfig(appCount)).map(([key, value]) => [
        `${NAMESPACE}:${key}`,
        typeof value === "string" ? value : JSON.stringify(value),
    ]);
    return { values: Object.fromEntries(values), secretKeys: [] };
}
