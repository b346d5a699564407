/**
 * What the Cloudflare stand-in holds for a stack, found by the names the
 * program gives things (components/naming.ts): the end-to-end tests assert on
 * this, never on what Pulumi says it did.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { poolName, type PoolRole } from "../../../components/naming";
import { CONFIG_NAMESPACE } from "../../../config/rawConfig";
import type { CloudflareStandIn } from "../../support/cloudflare/standIn";
import type { Account, DnsRecord, LoadBalancer, Monitor, Pool, Zone } from "../../support/cloudflare/store";
import type { ConfigObject } from "../../support/stack";
import { REPO_ROOT } from "./pulumiProject";

/** A bundled stack file's project keys, unqualified, as `engineStack` takes them. */
export function bundledStackConfig(stack: string): ConfigObject {
    const file = parse(readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const prefix = `${CONFIG_NAMESPACE}:`;
    return Object.fromEntries(
        Object.entries(file.config).flatMap(([key, value]) => (key.startsWith(prefix) ? [[key.slice(prefix.length), value]] : [])),
    );
}

/** The account and zone a config names, created empty in the stand-in. */
export function seedAccountAndZone(standIn: CloudflareStandIn, config: ConfigObject): { account: Account; zone: Zone } {
    const account = standIn.state.account(String(config.accountId)) ?? standIn.state.addAccount(String(config.accountId));
    const zone = standIn.state.zone(String(config.zoneId)) ?? standIn.state.addZone(account.id, String(config.zone), String(config.zoneId));
    return { account, zone };
}

export interface HeldApp {
    cequencePool: Pool | undefined;
    originPool: Pool | undefined;
    loadBalancer: LoadBalancer | undefined;
    record: DnsRecord | undefined;
    monitorOf(pool: Pool | undefined): Monitor | undefined;
}

/** One app's objects in the stand-in. */
export function heldApp(account: Account, zone: Zone, stack: string, app: { hostname: string; lbHostname: string }): HeldApp {
    const pool = (role: PoolRole) => account.pools.find((p) => p.name === poolName(role, stack, app.hostname));
    return {
        cequencePool: pool("cequence"),
        originPool: pool("origin"),
        loadBalancer: zone.loadBalancers.find((lb) => lb.name === app.lbHostname),
        record: zone.records.find((r) => r.name === app.hostname),
        monitorOf: (p) => account.monitors.find((m) => m.id === p?.monitor),
    };
}

/** Every object's ID, by kind: equal before and after an update means nothing was replaced. */
export function objectIds(account: Account, zone: Zone): Record<string, string[]> {
    const ids = (objects: Array<{ id: string }>) => objects.map((o) => o.id).sort();
    return {
        monitors: ids(account.monitors),
        pools: ids(account.pools),
        policies: ids(account.policies),
        loadBalancers: ids(zone.loadBalancers),
        records: ids(zone.records),
        rulesets: ids(zone.rulesets),
    };
}

/** Fields that differ between two deployments of the same objects: the IDs Cloudflare assigns and the times it stamps. */
const ASSIGNED_FIELDS = new Set(["id", "created", "modified", "created_on", "modified_on", "last_updated", "version"]);

/**
 * Everything the stand-in holds for an account and its zone, in a form that two
 * deployments of the same inputs share field for field, whatever program or
 * language made them: each ID Cloudflare assigned (a pool's monitor, a load
 * balancer's pools, a record's ID in a ruleset) is replaced by what it names,
 * assigned times are left out, and each list is in a stable order.
 */
export function comparableObjects(account: Account, zone: Zone): Record<string, unknown[]> {
    const names = new Map<string, string>();
    for (const pool of account.pools) names.set(pool.id, `pool ${pool.name}`);
    for (const monitor of account.monitors) {
        const watched = account.pools.filter((pool) => pool.monitor === monitor.id).map((pool) => pool.name).sort();
        names.set(monitor.id, `monitor of ${watched.join(", ") || "no pool"}`);
    }
    for (const lb of zone.loadBalancers) names.set(lb.id, `load balancer ${lb.name}`);
    for (const record of zone.records) names.set(record.id, `record ${record.type} ${record.name}`);
    for (const policy of account.policies) names.set(policy.id, `policy ${policy.name}`);
    for (const ruleset of zone.rulesets) names.set(ruleset.id, `ruleset ${ruleset.phase} ${ruleset.name}`);
    const named = (value: unknown): unknown => {
        if (typeof value === "string") return names.get(value) ?? value;
        if (Array.isArray(value)) return value.map(named);
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).filter(([key]) => !ASSIGNED_FIELDS.has(key)).map(([key, field]) => [key, named(field)]));
        }
        return value;
    };
    const sorted = (objects: unknown[]) => objects.map(named).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return {
        monitors: sorted(account.monitors),
        pools: sorted(account.pools),
        policies: sorted(account.policies),
        loadBalancers: sorted(zone.loadBalancers),
        records: sorted(zone.records),
        rulesets: sorted(zone.rulesets),
    };
}
