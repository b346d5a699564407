/**
 * The mapping from what the program registers to the body the bridged
 * provider would send, checked against Cloudflare's own OpenAPI schema
 * closed-world (the schema and its quirks: ./cloudflare/schema.ts).
 */
import type { RegisteredResource } from "../../tools/plan/mockEngine";
import { describeErrors, requestValidator, type Schema } from "./cloudflare/schema";

export { OPENAPI_FILE } from "./cloudflare/schema";

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

const API_MAPPINGS: Record<string, ApiMapping> = {
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

/** Validation errors of the resource's body against each of its operations; empty when it conforms. */
export function contractErrors(resource: RegisteredResource): string[] {
    const mapping = API_MAPPINGS[resource.type];
    if (!mapping) return [`no API mapping for ${resource.type}: add one so its body is checked`];
    const body = requestBody(resource);
    return mapping.operations.flatMap(([method, pathTemplate]) => {
        const validate = requestValidator(method, pathTemplate, mapping.notRequiredInRequests);
        if (!validate) return [`${method.toUpperCase()} ${pathTemplate} has no request schema`];
        if (validate(body)) return [];
        return describeErrors(validate.errors).map((error) => `${resource.name}: ${method.toUpperCase()} ${pathTemplate}: ${error}`);
    });
}
