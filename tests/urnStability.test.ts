/**
 * Existing stacks must not notice a refactor: every resource of the stacks
 * pinned in tests/fixtures keeps its identity, as its URN or through an
 * alias, so `pulumi up` after the refactor changes nothing. The pins were
 * taken from the program before ProtectedHostname grouped each hostname's
 * resources under one component.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { RegisteredResource } from "../tools/plan/mockEngine";
import { runStack } from "./support/stack";
import { URN_CONFIGS } from "./support/urnConfigs";

const PINNED = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "urnsBeforeProtectedHostname.json"), "utf8")) as Record<string, string[]>;

/** A URN's parts: `urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>`. */
function parts(urn: string) {
    const [prefix, project, qualifiedType, ...name] = urn.split("::");
    return { prefix: prefix!, project: project!, type: qualifiedType!.split("$").pop()!, name: name.join("::") };
}

/** Every URN the engine would match this resource to: its own, and what each alias says it was. */
function identities(resource: RegisteredResource): string[] {
    const own = parts(resource.urn);
    const fromAliases = resource.aliases.map((alias) => {
        if (alias.urn) return alias.urn;
        const type = alias.type || own.type;
        const name = alias.name || own.name;
        // The engine qualifies a type with its parent's type only; a top-level resource has none.
        const qualified = alias.noParent ? type : `${parts(alias.parentUrn || resource.parent).type}$${type}`;
        return `${own.prefix}::${own.project}::${qualified}::${name}`;
    });
    return [resource.urn, ...fromAliases];
}

describe("resource identity across refactors", () => {
    for (const [label, config] of Object.entries(URN_CONFIGS)) {
        it(`every resource of a stack deployed before keeps its identity: ${label}`, async () => {
            const run = await runStack(config, "prod");
            assert.equal(run.error, undefined);
            const claimedBy = new Map<string, string[]>();
            for (const resource of run.resources) {
                for (const urn of identities(resource)) claimedBy.set(urn, [...(claimedBy.get(urn) ?? []), resource.urn]);
            }
            for (const urn of PINNED[label]!) {
                assert.equal(claimedBy.get(urn)?.length, 1, `${urn} must be claimed by exactly one resource, got ${JSON.stringify(claimedBy.get(urn))}`);
            }
            const pinned = new Set(PINNED[label]);
            const added = run.resources.filter((resource) => !identities(resource).some((urn) => pinned.has(urn)));
            assert.deepEqual(
                added.map((resource) => resource.type),
                added.map(() => "cloudflare-cequence:index:ProtectedHostname"),
                "only the grouping components are new: anything else would be created (or replace an old resource)",
            );
        });
    }
});
