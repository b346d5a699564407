/**
 * Request fields the stack sends that are newer than the OpenAPI subset
 * (Cloudflare's schema of August 2024; its README lists what it lacks). The
 * closed-world contract would refuse them, so each is taken out of the body
 * and checked against the schema written here, from the provider's source.
 * Keep this list tiny: only fields the stack sends.
 */
import Ajv2019 from "ajv/dist/2019";
import type { RegisteredResource } from "../../tools/plan/mockEngine";
import { contractErrors } from "./openapi";

type Schema = Record<string, unknown>;

/** Type token → field (`a[].b`: field `b` of every item of list `a`, in Pulumi's names) → its schema. */
const NEWER_THAN_SCHEMA: Record<string, Record<string, Schema>> = {
    "cloudflare:index/loadBalancerPool:LoadBalancerPool": {
        // cloudflare/terraform-provider-cloudflare internal/services/load_balancer_pool/schema.go at a2efdc57:
        // "The port for upstream connections. A value of 0 means the default port for the protocol will be used."
        "origins[].port": { type: "integer", minimum: 0, maximum: 65535 },
    },
};

const ajv = new Ajv2019({ strict: false, allErrors: true });

/** {@link contractErrors}, with the fields newer than the schema checked on their own. */
export function contractErrorsWithNewerFields(resource: RegisteredResource): string[] {
    const inputs = structuredClone(resource.unmaskedInputs);
    const newer = Object.entries(NEWER_THAN_SCHEMA[resource.type] ?? {}).flatMap(([field, schema]) => {
        const validate = ajv.compile(schema);
        return takeField(inputs, field).flatMap((value) =>
            validate(value) ? [] : [`${resource.name}: ${field} ${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`],
        );
    });
    return [...newer, ...contractErrors({ ...resource, unmaskedInputs: inputs })];
}

/** Removes `field` from `object`, returning the values it held. */
function takeField(object: Schema, field: string): unknown[] {
    const [head, ...rest] = field.split(".");
    const list = head!.endsWith("[]");
    const key = list ? head!.slice(0, -2) : head!;
    const value = object[key];
    if (value === undefined) return [];
    if (rest.length === 0) {
        delete object[key];
        return [value];
    }
    const children = (list ? value : [value]) as Schema[];
    return children.flatMap((child) => takeField(child, rest.join(".")));
}
