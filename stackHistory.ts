/**
 * This project's own history, kept out of the components: before
 * ProtectedHostname existed, our stacks registered each hostname's four
 * components at the stack's top level. The aliases here let our stacks adopt
 * them under ProtectedHostname unchanged; a consumer's stack, which never had
 * them there, carries none of this (tests/e2e/aliases.e2e.ts proves our
 * stacks see no change with the real engine, tests/urnStability.test.ts under
 * mocks).
 */
import * as pulumi from "@pulumi/pulumi";
import { componentType } from "./components/naming";

/** ProtectedHostname's children, by the suffix of their name, and the component each is. */
const CHILDREN = { cequence: "CequencePool", origin: "AppOriginPool", failover: "FailoverLoadBalancer", cutover: "CnameCutover" } as const;

/**
 * For the ProtectedHostname named `name`: a transformation that gives each of
 * its four children an alias to the top-level URN it had before. As URNs, the
 * SDK sends them as they are; `{ parent: pulumi.rootStackResource }` made it
 * resolve the stack's URN for each child, a chain of promises every time
 * (docs/benchmark.md). The stack and project name the deployment, as any URN
 * does; they are not configuration.
 */
export function formerlyTopLevel(name: string): pulumi.ResourceTransformation {
    const aliases = new Map(
        Object.entries(CHILDREN).map(([suffix, component]) => {
            const type = componentType(component);
            const child = `${name}-${suffix}`;
            return [`${type}::${child}`, `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${type}::${child}`];
        }),
    );
    return ({ type, name: childName, props, opts }) => {
        const alias = aliases.get(`${type}::${childName}`);
        return alias === undefined ? undefined : { props, opts: { ...opts, aliases: [...(opts.aliases ?? []), alias] } };
    };
}
