/**
 * Cloudflare's own OpenAPI schema (the subset in ../shared/cloudflare-openapi)
 * as a request-body validator, and the mapping from what the program
 * registers to the body the bridged provider would send.
 *
 * The schema is validated closed-world: upstream leaves almost every object
 * open, so a misspelled field (`sessionAffinity` for `session_affinity`)
 * would pass. Every object in a value position is wrapped as
 * `{allOf: [X], unevaluatedProperties: false}` (the README's advice).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2019, { type ValidateFunction } from "ajv/dist/2019";
import addFormats from "ajv-formats";
import type { RegisteredResource } from "../../tools/mockEngine";

type Schema = Record<string, unknown>;

export const OPENAPI_FILE = path.resolve(__dirname, "../../../shared/cloudflare-openapi/cloudflare-lb-subset.openapi.json");

interface Operation {
    operationId: string;
    requestBody?: Schema;
}

const spec = JSON.parse(readFileSync(OPENAPI_FILE, "utf8")) as {
    paths: Record<string, Record<string, Operation>>;
    components: Schema;
};

function resolveRef(ref: string): Schema {
    const parts = ref.replace(/^#\//, "").split("/");
    return parts.reduce<Schema>((node, part) => node[part] as Schema, spec as unknown as Schema);
}

/** Inlines every `$ref`; a reference back into itself becomes `{}` (any), which only loosens recursion. */
function dereference(node: unknown, stack: readonly string[] = []): unknown {
    if (Array.isArray(node)) return node.map((item) => dereference(item, stack));
    if (node === null || typeof node !== "object") return node;
    const object = node as Schema;
    if (typeof object.$ref === "string") {
        if (stack.includes(object.$ref)) return {};
        return dereference(resolveRef(object.$ref), [...stack, object.$ref]);
    }
    return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, dereference(value, stack)]));
}

const COMBINATORS = ["allOf", "oneOf", "anyOf"] as const;

/** An object with declared properties; an object schema with none (monitor `header`) is a free map. */
function declaresProperties(schema: Schema): boolean {
    if (schema.properties !== undefined) return true;
    return COMBINATORS.some((key) => Array.isArray(schema[key]) && (schema[key] as Schema[]).some(declaresProperties));
}

/**
 * Upstream quirk: notification `mechanisms.*[].id` is `oneOf: [uuid, string]`,
 * which every short string matches twice, so every valid id fails. `anyOf`
 * is what the API means.
 */
function fixMechanismIdOneOf(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(fixMechanismIdOneOf);
    if (node === null || typeof node !== "object") return node;
    const object = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fixMechanismIdOneOf(v)])) as Schema;
    const id = (object.properties as Record<string, Schema> | undefined)?.id;
    if (id && Array.isArray(id.oneOf) && id.oneOf.some((branch) => (branch as Schema).description === "The email address")) {
        (object.properties as Record<string, Schema>).id = { anyOf: id.oneOf };
    }
    return object;
}

/** Names of properties marked `readOnly` anywhere in a schema (they may be required in a sibling `allOf` member). */
function readOnlyProperties(node: unknown, found = new Set<string>()): Set<string> {
    if (Array.isArray(node)) node.forEach((item) => readOnlyProperties(item, found));
    else if (node !== null && typeof node === "object") {
        const properties = (node as Schema).properties as Record<string, Schema> | undefined;
        for (const [name, property] of Object.entries(properties ?? {})) if (property.readOnly === true) found.add(name);
        Object.values(node).forEach((value) => readOnlyProperties(value, found));
    }
    return found;
}

/**
 * Closes every object in a value position, and drops `optionalKeys` from
 * `required`: upstream reuses response schemas for requests, so read-only
 * fields (and, for DNS records, `id`) would fail every real create body.
 */
function forRequests(schema: Schema, valuePosition: boolean, optionalKeys: ReadonlySet<string>): Schema {
    const out: Schema = { ...schema };
    for (const key of COMBINATORS) {
        if (Array.isArray(out[key])) out[key] = (out[key] as Schema[]).map((member) => forRequests(member, false, optionalKeys));
    }
    if (out.properties) {
        const properties = out.properties as Record<string, Schema>;
        out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, forRequests(v, true, optionalKeys)]));
    }
    if (Array.isArray(out.required)) out.required = (out.required as string[]).filter((k) => !optionalKeys.has(k));
    if (out.items && typeof out.items === "object") out.items = forRequests(out.items as Schema, true, optionalKeys);
    if (out.additionalProperties && typeof out.additionalProperties === "object") {
        out.additionalProperties = forRequests(out.additionalProperties as Schema, true, optionalKeys);
    }
    return valuePosition && declaresProperties(out) ? { allOf: [out], unevaluatedProperties: false } : out;
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
addFormats(ajv);

function operation(method: string, pathTemplate: string): Operation {
    const found = spec.paths[pathTemplate]?.[method];
    if (!found) throw new Error(`the OpenAPI subset has no ${method.toUpperCase()} ${pathTemplate}`);
    return found;
}

function requestSchema(op: Operation): Schema {
    const body = dereference(op.requestBody) as { content: { "application/json": { schema: Schema } } };
    return fixMechanismIdOneOf(body.content["application/json"].schema) as Schema;
}

/** How a registered resource becomes an API call. */
export interface ApiMapping {
    /** Create and update operations ("Update" is PUT, or PATCH where the API has no PUT). */
    operations: Array<[method: string, path: string]>;
    /** Inputs that are path parameters, not body fields. */
    pathParameters: string[];
    /** Inputs whose values are maps with user-chosen keys (kept as they are). */
    mapFields?: string[];
    /** Fields the upstream schema lists as required but the API fills in (documented quirk). */
    notRequiredInRequests?: string[];
    /** Pulumi names the bridge pluralised from the API's singular list fields. */
    renames?: Record<string, string>;
}

export const API_MAPPINGS: Record<string, ApiMapping> = {
    "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": {
        operations: [
            ["post", "/accounts/{account_id}/load_balancers/monitors"],
            ["put", "/accounts/{account_id}/load_balancers/monitors/{monitor_id}"],
        ],
        pathParameters: ["accountId"],
        mapFields: ["header"],
    },
    "cloudflare:index/loadBalancerPool:LoadBalancerPool": {
        operations: [
            ["post", "/accounts/{account_id}/load_balancers/pools"],
            ["put", "/accounts/{account_id}/load_balancers/pools/{pool_id}"],
        ],
        pathParameters: ["accountId"],
    },
    "cloudflare:index/loadBalancer:LoadBalancer": {
        operations: [
            ["post", "/zones/{zone_id}/load_balancers"],
            ["put", "/zones/{zone_id}/load_balancers/{load_balancer_id}"],
        ],
        pathParameters: ["zoneId"],
        mapFields: ["poolWeights", "countryPools", "regionPools", "popPools"],
    },
    "cloudflare:index/dnsRecord:DnsRecord": {
        operations: [
            ["post", "/zones/{zone_id}/dns_records"],
            ["put", "/zones/{zone_id}/dns_records/{dns_record_id}"],
        ],
        pathParameters: ["zoneId"],
        notRequiredInRequests: ["id"],
    },
    "cloudflare:index/notificationPolicy:NotificationPolicy": {
        // The subset has no update operation for policies; create is the contract.
        operations: [["post", "/accounts/{account_id}/alerting/v3/policies"]],
        pathParameters: ["accountId"],
        renames: {
            poolIds: "pool_id",
            newHealths: "new_health",
            eventSources: "event_source",
            enableds: "enabled",
            emails: "email",
            pagerduties: "pagerduty",
        },
    },
    "cloudflare:index/ruleset:Ruleset": {
        operations: [
            ["post", "/zones/{zone_id}/rulesets"],
            ["put", "/zones/{zone_id}/rulesets/{ruleset_id}"],
        ],
        pathParameters: ["zoneId"],
        mapFields: ["headers"],
        // Upstream reuses the ruleset response schema, whose `id` the API assigns.
        notRequiredInRequests: ["id"],
    },
    "cloudflare:index/managedTransforms:ManagedTransforms": {
        operations: [["patch", "/zones/{zone_id}/managed_headers"]],
        pathParameters: ["zoneId"],
    },
};

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The JSON body terraform-provider-cloudflare v5 builds from these inputs:
 * the Pulumi bridge maps camelCase names to the API's snake_case ones,
 * path parameters leave the body, and map keys stay as written.
 */
export function requestBody(resource: RegisteredResource): Schema {
    const mapping = API_MAPPINGS[resource.type];
    if (!mapping) throw new Error(`no API mapping for ${resource.type}`);
    const mapFields = new Set(mapping.mapFields ?? []);
    const convert = (value: unknown, keepKeys: boolean): unknown => {
        if (Array.isArray(value)) return value.map((item) => convert(item, false));
        if (value === null || typeof value !== "object") return value;
        return Object.fromEntries(
            Object.entries(value as Schema)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [keepKeys ? k : (mapping.renames?.[k] ?? snake(k)), convert(v, mapFields.has(k))]),
        );
    };
    // The provider sends secret values in the clear: the body is built from the unmasked inputs.
    const inputs = Object.fromEntries(Object.entries(resource.unmaskedInputs).filter(([k]) => !mapping.pathParameters.includes(k)));
    return convert(inputs, false) as Schema;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(method: string, pathTemplate: string, mapping: ApiMapping): ValidateFunction {
    const key = `${method} ${pathTemplate}`;
    let validate = validators.get(key);
    if (!validate) {
        const raw = requestSchema(operation(method, pathTemplate));
        const optional = new Set([...readOnlyProperties(raw), ...(mapping.notRequiredInRequests ?? [])]);
        const schema = forRequests(raw, true, optional);
        validate = ajv.compile(schema);
        validators.set(key, validate);
    }
    return validate;
}

/** Validation errors of the resource's body against each of its operations; empty when it conforms. */
export function contractErrors(resource: RegisteredResource): string[] {
    const mapping = API_MAPPINGS[resource.type];
    if (!mapping) return [`no API mapping for ${resource.type}: add one so its body is checked`];
    const body = requestBody(resource);
    return mapping.operations.flatMap(([method, pathTemplate]) => {
        const validate = validatorFor(method, pathTemplate, mapping);
        if (validate(body)) return [];
        return (validate.errors ?? []).map(
            (e) => `${resource.name}: ${method.toUpperCase()} ${pathTemplate}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
        );
    });
}
