/**
 * Pulumi.yaml declares the project's config keys for `pulumi config` and the
 * Pulumi Cloud console; config/schema.ts validates them. The declarations are
 * derived here from the zod schema's JSON Schema, so a key added to, removed
 * from or retyped in the schema fails this test until Pulumi.yaml follows.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import * as z from "zod";
import { CONFIG_NAMESPACE } from "../config/rawConfig";
import { stackConfigSchema } from "../config/schema";
import { PROJECT_ROOT } from "../tools/plan/mockEngine";

/** The types a Pulumi.yaml `config` declaration accepts (Pulumi's project schema; `object` since CLI 3.186). */
const PULUMI_CONFIG_TYPES = ["string", "integer", "boolean", "array", "object"] as const;
type PulumiConfigType = (typeof PULUMI_CONFIG_TYPES)[number];

interface ItemsType {
    type: PulumiConfigType;
    items?: ItemsType;
}

/** What Pulumi.yaml must say about one key; `default` absent means the key is required. */
interface Declaration extends ItemsType {
    default?: unknown;
}

interface JsonSchema {
    type?: string;
    items?: JsonSchema;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    default?: unknown;
}

function pulumiType(key: string, schema: JsonSchema): ItemsType {
    const type = schema.type;
    if (!(PULUMI_CONFIG_TYPES as readonly (string | undefined)[]).includes(type)) {
        throw new Error(
            `${key}: the zod schema gives JSON Schema type ${JSON.stringify(type)}, which Pulumi project config cannot declare (it has ${PULUMI_CONFIG_TYPES.join(", ")}); use one of those in config/schema.ts`,
        );
    }
    if (type !== "array") return { type: type as PulumiConfigType };
    if (!schema.items) throw new Error(`${key}: an array needs an item type`);
    return { type, items: pulumiType(`${key}[]`, schema.items) };
}

/**
 * Keys whose presence turns a feature on. Declaring them would need a default,
 * and Pulumi hands a declared default to every stack, turning the feature on
 * everywhere; so Pulumi.yaml names them in a comment instead.
 */
const PRESENCE_KEYS = new Map([["edgeAuth", "edge authentication"]]);

/** The project's keys as a user writes them (the schema's input side, defaults included). */
function configSchema(): JsonSchema {
    return z.toJSONSchema(stackConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** What Pulumi.yaml must declare for `key`, derived from its JSON Schema. */
function expectedDeclaration(key: string, schema: JsonSchema, required: boolean): Declaration {
    if (!required && schema.default === undefined) {
        // Pulumi requires every declared key that has no default, in every stack.
        throw new Error(
            `${key} is optional in the zod schema but has no default; Pulumi treats a declared key without a default as required, so give it a default (components/defaults.ts) that means "off" and declare that default in Pulumi.yaml`,
        );
    }
    const declaration: Declaration = pulumiType(key, schema);
    if (schema.default !== undefined) declaration.default = schema.default;
    return declaration;
}

/** The keys one level inside an object (or a list of objects), which Pulumi cannot type, so the description names them. */
function nestedKeys(schema: JsonSchema): string[] {
    return Object.keys((schema.items ?? schema).properties ?? {});
}

interface DeclaredKey extends Declaration {
    description?: unknown;
}

function projectConfig(): Record<string, DeclaredKey> {
    const project = parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { config?: Record<string, unknown> };
    const prefix = `${CONFIG_NAMESPACE}:`;
    return Object.fromEntries(
        Object.entries(project.config ?? {}).map(([key, value]) => {
            if (typeof value !== "object" || value === null || !("type" in value)) {
                throw new Error(`Pulumi.yaml config.${key} is a plain value; declare it with type and description`);
            }
            return [key.startsWith(prefix) ? key.slice(prefix.length) : key, value as DeclaredKey];
        }),
    );
}

describe("Pulumi.yaml config declarations", () => {
    const declared = projectConfig();
    const schema = configSchema();
    const required = new Set(schema.required ?? []);
    const keys = Object.entries(schema.properties ?? {}).filter(([key]) => !PRESENCE_KEYS.has(key));

    it("declare exactly the keys of the zod schema, but for keys whose presence turns a feature on", () => {
        assert.deepEqual(Object.keys(declared).sort(), keys.map(([key]) => key).sort());
    });

    for (const [key] of PRESENCE_KEYS) {
        it(`${key}: optional in the schema with no default, and named in a Pulumi.yaml comment`, () => {
            const keySchema = schema.properties?.[key];
            assert.ok(keySchema && !required.has(key) && keySchema.default === undefined);
            const text = readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8");
            assert.match(text, new RegExp(`^#.*\\b${key}\\b`, "m"));
        });
    }

    for (const [key, keySchema] of keys) {
        it(`${key}: same type, items and default as the zod schema, described down to its nested keys`, () => {
            const { description, ...typed } = declared[key] ?? {};
            assert.deepEqual(typed, expectedDeclaration(key, keySchema, required.has(key)));
            assert.ok(typeof description === "string" && description.trim() !== "", `${key} needs a description`);
            const unnamed = nestedKeys(keySchema).filter((name) => !description.includes(`\`${name}\``));
            assert.deepEqual(unnamed, [], `Pulumi.yaml config.${key}.description should name each nested key in backquotes`);
        });
    }
});
