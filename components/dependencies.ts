/**
 * `dependsOn` values put together: a component that waits for something
 * passes it on, so that a resource of its own (the public DNS record) depends
 * on it explicitly, not only through its parent.
 */
import * as pulumi from "@pulumi/pulumi";

/** What `dependsOn` takes: a resource, a list of them, or an output or promise of either. */
export type DependsOn = pulumi.ResourceOptions["dependsOn"];

/**
 * Every resource of `given`, as one list to wait for; it fails when one of
 * them (an output) fails. An output of another kind (a pool's ID) adds the
 * resources it comes from, as the SDK counts an output's resources.
 */
export function allDependencies(...given: Array<DependsOn | pulumi.Input<string>>): pulumi.Output<pulumi.Resource[]> {
    // Outputs and promises are unwrapped, resources kept as they are (the SDK never unwraps a resource).
    return pulumi.output(given as unknown[]).apply((values) =>
        (values as unknown[]).flat(Number.POSITIVE_INFINITY).filter((value): value is pulumi.Resource => pulumi.Resource.isInstance(value)),
    );
}
