import * as pulumi from "@pulumi/pulumi";

/**
 * An Output that resolves to `undefined` as a resource input: the engine then
 * leaves the field unset. @pulumi/cloudflare 6.15's input types (which the
 * end-to-end suite runs) do not admit an Output of `undefined`, although
 * 6.22's do; this is the one place that says so to the type checker.
 */
export function optionalInput<T>(value: pulumi.Output<T | undefined>): pulumi.Input<T> {
    return value as pulumi.Output<T>;
}
