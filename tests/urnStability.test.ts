/**
 * Existing stacks must not notice a refactor: every resource of the stacks
 * pinned in tests/fixtures keeps its identity, as its URN or through an
 * alias, so `pulumi up` after the refactor changes nothing. The pins were
 * taken from the program before ProtectedHostname grouped each hostname's
 * resources under one component; that tree was at most two deep, where the
 * mocks' URNs and the engine's agree.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { RegisteredResource } from "../tools/plan/mockEngine";
import { runStack } from "./support/stack";
import { URN_CONFIGS } from "./support/urnConfigs";

const PINNED = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "urnsBeforeProtectedHostname.json"), "utf8")) as Record<string, string[]>;

/**
 * The URNs the real engine gives a resource, and those it would match it
 * to, by the engine's own rules (not the mocks', which keep only the last
 * parent's type):
 * - a URN's type is the whole chain of ancestor types: `A$B$C::name`
 *   (`createUrn` in @pulumi/pulumi's resource.js);
 * - a resource matches its own URN, each of its aliases, and its URN under
 *   each URN its parent matches: the engine hands a parent's aliases down to
 *   its children (`generateAliases` in the engine's step generator).
 */
class UrnModel {
    private readonly byUrn: Map<string, RegisteredResource>;
    private readonly root: string;

    constructor(private readonly resources: readonly RegisteredResource[]) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
        const [prefix, project] = resources[0]!.urn.split("::");
        this.root = `${prefix}::${project}::`;
    }

    /** The URN the engine gives the resource. */
    urn(resource: RegisteredResource): string {
        return this.under(this.parentOf(resource) ? this.urn(this.parentOf(resource)!) : undefined, resource.type, resource.name);
    }

    /** Every URN the engine would match the resource to. */
    identities(resource: RegisteredResource): string[] {
        const parent = this.parentOf(resource);
        const parentIdentities = parent ? this.identities(parent) : [undefined];
        const own = parentIdentities.map((parentUrn) => this.under(parentUrn, resource.type, resource.name));
        const aliased = resource.aliases.map((alias) => {
            if (alias.urn) return alias.urn;
            const parentUrn = alias.noParent ? undefined : alias.parentUrn || (parent && this.urn(parent));
            return this.under(parentUrn, alias.type || resource.type, alias.name || resource.name);
        });
        return [...new Set([...own, ...aliased])];
    }

    /** The stack is not registered through the mocks: a parent not among the resources is the stack. */
    private parentOf(resource: RegisteredResource): RegisteredResource | undefined {
        return this.byUrn.get(resource.parent);
    }

    private under(parentUrn: string | undefined, type: string, name: string): string {
        const prefix = parentUrn === undefined ? this.root : `${parentUrn.slice(0, parentUrn.lastIndexOf("::"))}$`;
        return `${prefix}${type}::${name}`;
    }
}

describe("resource identity across refactors", () => {
    for (const [label, config] of Object.entries(URN_CONFIGS)) {
        it(`every resource of a stack deployed before keeps its identity: ${label}`, async () => {
            const run = await runStack(config, "prod");
            assert.equal(run.error, undefined);
            const model = new UrnModel(run.resources);
            const claimedBy = new Map<string, string[]>();
            for (const resource of run.resources) {
                for (const urn of model.identities(resource)) claimedBy.set(urn, [...(claimedBy.get(urn) ?? []), model.urn(resource)]);
            }
            for (const urn of PINNED[label]!) {
                assert.equal(claimedBy.get(urn)?.length, 1, `${urn} must be claimed by exactly one resource, got ${JSON.stringify(claimedBy.get(urn))}`);
            }
            const pinned = new Set(PINNED[label]);
            const added = run.resources.filter((resource) => !model.identities(resource).some((urn) => pinned.has(urn)));
            assert.deepEqual(
                added.map((resource) => resource.type),
                added.map(() => "cloudflare-cequence:index:ProtectedHostname"),
                "only the grouping components are new: anything else would be created (or replace an old resource)",
            );
        });
    }
});
