/**
 * The package schema other languages get from `pulumi package add`: generated
 * in process by the same ComponentProvider (and TypeScript analyzer) that the
 * Pulumi plugin host runs, with no CLI. Every exported component must make it
 * into the schema, fully described; the guide's four components must keep the
 * inputs and outputs listed here, since renaming or removing one breaks every
 * generated SDK (new optional inputs and new components are fine).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as components from "../components";
import { ROUTINGS } from "../components/naming";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

interface Property {
    type?: string;
    $ref?: string;
    plain?: boolean;
    description?: string;
}

interface PackageSchema {
    name: string;
    resources: Record<string, {
        isComponent?: boolean;
        description?: string;
        inputProperties: Record<string, Property>;
        requiredInputs: string[];
        properties: Record<string, Property>;
    }>;
    types: Record<string, { properties?: Record<string, Property>; enum?: Array<{ name: string; value: string; description?: string }> }>;
}

const PACKAGE_NAME = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { name: string }).name;

/** The guide's four components, the one that composes them per hostname, and the API each must keep. */
const GUIDE_COMPONENTS: Record<string, { inputs: string[]; required: string[]; outputs: string[] }> = {
    CequencePool: {
        inputs: ["accountId", "cequenceHostname", "enabled", "monitor", "poolName", "publicHostname"],
        required: ["accountId", "cequenceHostname", "poolName", "publicHostname"],
        outputs: ["healthApiUrl", "monitorId", "poolId", "probeUrl"],
    },
    AppOriginPool: {
        inputs: ["accountId", "monitor", "originHostname", "poolName", "publicHostname"],
        required: ["accountId", "originHostname", "poolName", "publicHostname"],
        outputs: ["healthApiUrl", "monitorId", "poolId", "probeUrl"],
    },
    FailoverLoadBalancer: {
        inputs: ["cequencePoolId", "hostname", "originPoolId", "publicHostname", "zoneId"],
        required: ["cequencePoolId", "hostname", "originPoolId", "publicHostname", "zoneId"],
        outputs: ["hostname", "loadBalancerId"],
    },
    CnameCutover: {
        inputs: ["existingRecordId", "hostname", "target", "zoneId"],
        required: ["hostname", "target", "zoneId"],
        outputs: ["recordId", "target"],
    },
    ProtectedHostname: {
        inputs: [
            "accountId", "cequenceHostname", "cequenceMonitor", "cequencePort", "cequenceTrafficPercent", "existingRecordId", "hostname",
            "lbHostname", "origin", "originMonitor", "routing", "sharedCequencePool", "stackName", "zone", "zoneId",
        ],
        required: ["accountId", "cequenceHostname", "hostname", "origin", "zone", "zoneId"],
        outputs: ["cequencePoolId", "cnameTarget", "failOpenSeconds", "lbHostname", "poolHealthEndpoints", "recordId"],
    },
};

const token = (component: string) => `${PACKAGE_NAME}:index:${component}`;
const exported = getPulumiComponents(components);

function missing(expected: readonly string[], actual: readonly string[]): string[] {
    return expected.filter((name) => !actual.includes(name));
}

describe("component package schema", () => {
    let schema: PackageSchema;

    before(async () => {
        // As the plugin host does: the components are the ComponentResource classes the entry module exports.
        const provider = new ComponentProvider({ dirname: PROJECT_ROOT, name: PACKAGE_NAME, components: exported });
        schema = JSON.parse(await provider.getSchema()) as PackageSchema;
    });

    it("has every exported component, the guide's four among them, named by the package", () => {
        assert.equal(schema.name, PACKAGE_NAME);
        assert.deepEqual(Object.keys(schema.resources).sort(), exported.map((c) => token(c.name)).sort());
        assert.deepEqual(missing(Object.keys(GUIDE_COMPONENTS).map(token), Object.keys(schema.resources)), []);
        for (const resource of Object.values(schema.resources)) assert.equal(resource.isComponent, true);
    });

    for (const [component, expected] of Object.entries(GUIDE_COMPONENTS)) {
        it(`${component}: keeps its inputs, required inputs and outputs`, () => {
            const resource = schema.resources[token(component)]!;
            assert.deepEqual(missing(expected.inputs, Object.keys(resource.inputProperties)), [], "inputs");
            assert.deepEqual(missing(expected.required, resource.requiredInputs), [], "required inputs");
            assert.deepEqual(missing(resource.requiredInputs, expected.required), [], "a new required input breaks every caller");
            assert.deepEqual(missing(expected.outputs, Object.keys(resource.properties)), [], "outputs");
        });
    }

    it("describes every component, input and output (JSDoc becomes the SDK docs)", () => {
        for (const [component, resource] of Object.entries(schema.resources)) {
            assert.ok(resource.description?.trim(), `${component} needs a class JSDoc`);
            const undescribed = [
                ...Object.entries(resource.inputProperties).map(([name, p]) => [`input ${name}`, p] as const),
                ...Object.entries(resource.properties).map(([name, p]) => [`output ${name}`, p] as const),
            ].filter(([, p]) => !p.description?.trim());
            assert.deepEqual(undescribed.map(([what]) => what), [], `${component}: every field needs a JSDoc`);
        }
    });

    it("defines every type it references, with every field described", () => {
        const refs = Object.values(schema.resources)
            .flatMap((r) => Object.values(r.inputProperties))
            .flatMap((p) => (p.$ref ? [p.$ref.replace(/^#\/types\//, "")] : []));
        assert.ok(refs.length > 0, "the monitor settings should be a shared type");
        for (const ref of refs) {
            const type = schema.types[ref];
            assert.ok(type, `${ref} is referenced but not defined`);
            const undescribed = [
                ...Object.entries(type.properties ?? {}).filter(([, p]) => !p.description?.trim()).map(([name]) => name),
                ...(type.enum ?? []).filter((member) => !member.description?.trim()).map((member) => member.name),
            ];
            assert.deepEqual(undescribed, [], `${ref}: every field and enum value needs a JSDoc`);
        }
    });

    it("types ProtectedHostname's routing as an enum of the three values it takes, so other languages get one", () => {
        const routing = schema.resources[token("ProtectedHostname")]!.inputProperties.routing!;
        const type = schema.types[routing.$ref!.replace(/^#\/types\//, "")]!;
        assert.equal(type.properties, undefined);
        assert.deepEqual(type.enum?.map((member) => member.value), [...ROUTINGS]);
        assert.equal(routing.plain, true, "plain: it decides which resources exist");
    });

    it("takes ProtectedHostname's zone ID and hostnames as inputs (outputs of other stacks), not plain values", () => {
        const inputs = schema.resources[token("ProtectedHostname")]!.inputProperties;
        const plain = ["zoneId", "zone", "hostname", "origin", "lbHostname", "cequenceHostname", "stackName", "cequenceTrafficPercent"].filter((name) => inputs[name]!.plain);
        assert.deepEqual(plain, []);
    });

    it("serves the YAML example: its types and inputs exist, its required inputs are set", () => {
        const program = parse(readFileSync(path.join(PROJECT_ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8")) as {
            resources: Record<string, { type: string; properties?: Record<string, unknown> }>;
        };
        for (const [name, { type, properties = {} }] of Object.entries(program.resources)) {
            const resource = schema.resources[type];
            assert.ok(resource, `examples/yaml resource ${name}: the package has no ${type}`);
            assert.deepEqual(missing(Object.keys(properties), Object.keys(resource.inputProperties)), [], `${name}: unknown inputs`);
            assert.deepEqual(missing(resource.requiredInputs, Object.keys(properties)), [], `${name}: required inputs not set`);
        }
    });
});
