/**
 * Stacks whose resource URNs are pinned in tests/fixtures: together they
 * register every resource the program can (each routing, a shared pool,
 * edge auth, alerts, True-Client-IP), so a refactor that moves any of them
 * without an alias fails tests/urnStability.test.ts.
 */
import { guideConfig, type ConfigObject } from "./stack";

function withApps(apps: object[], extra: ConfigObject = {}, cequence: object = {}): ConfigObject {
    const config = guideConfig();
    return { ...config, ...extra, cequence: { ...(config.cequence as object), ...cequence }, apps };
}

const EVERY_ROUTING = [
    { hostname: "www.cq-route.com", origin: "origin-www.cq-route.com" },
    { hostname: "api.cq-route.com", origin: "origin-api.cq-route.com", routing: "origin" },
    { hostname: "direct.cq-route.com", origin: "origin-direct.cq-route.com", routing: "cequence" },
];

export const URN_CONFIGS: Record<string, ConfigObject> = {
    guide: guideConfig(),
    "every routing, edge auth, alerts and True-Client-IP": withApps(EVERY_ROUTING, {
        edgeAuth: {},
        alerts: { emails: ["secops@cq-route.com"] },
        trueClientIp: true,
    }),
    "a shared Cequence pool": withApps(EVERY_ROUTING.slice(0, 2), {}, { sharedPool: true }),
};
