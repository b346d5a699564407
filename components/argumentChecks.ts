/**
 * How a component refuses its arguments: every problem at once, each under
 * its argument's path, in one pulumi.ResourceError, as the config lists its
 * problems under their keys. Values known now are checked now, so that
 * nothing is registered; outputs are checked as they resolve, before any
 * resource that takes them is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { formatProblems, type Problem } from "./problems";

/** Throws a ResourceError listing the problems of `component`'s arguments, if there are any. */
export function refuseArguments(resource: pulumi.Resource, component: string, problems: readonly Problem[]): void {
    if (problems.length === 0) return;
    const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    throw new pulumi.ResourceError(`Invalid arguments for ${component} (${count}):\n${formatProblems(problems)}`, resource);
}

function isPending(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/** True when `value`, and each field of it when it is an object, is known now: no output, no promise. */
export function isKnown(value: unknown): boolean {
    if (isPending(value)) return false;
    return value === null || typeof value !== "object" || !Object.values(value).some(isPending);
}

/**
 * `use(value)` at once when the value is known, so that a refusal it throws
 * comes before anything is registered; otherwise as the value resolves, and
 * what `use` returns is an output that the resources taking it wait for.
 */
export function whenKnown<T, R>(value: T, use: (known: pulumi.Unwrap<T>) => R): R | pulumi.Output<R> {
    if (isKnown(value)) return use(value as pulumi.Unwrap<T>);
    return pulumi.output(value).apply((known) => use(known)) as pulumi.Output<R>;
}

/** What a check makes of one argument: the value to use, and what is wrong with it. */
export interface Checked<R> {
    value: R;
    problems: Problem[];
}

/**
 * A component's argument problems, gathered so that all of those known now
 * are refused together (`refuseKnown`), before anything is registered; an
 * argument given as an output is checked as it resolves, and refused then,
 * before any resource that takes it is registered.
 */
export class ArgumentProblems {
    private readonly known: Problem[] = [];

    constructor(
        private readonly resource: pulumi.Resource,
        private readonly component: string,
    ) {}

    /** Records `message` under `path`; nothing when it is undefined. */
    add(path: string, message: string | undefined): void {
        if (message !== undefined) this.known.push({ path, message });
    }

    /** `check(value)` now, its problems kept with the others; for an output, as it resolves, refused then. */
    check<T, R>(value: T, check: (known: pulumi.Unwrap<T>) => Checked<R>): R | pulumi.Output<R> {
        if (isKnown(value)) {
            const checked = check(value as pulumi.Unwrap<T>);
            this.known.push(...checked.problems);
            return checked.value;
        }
        return pulumi.output(value).apply((known) => {
            const checked = check(known as pulumi.Unwrap<T>);
            refuseArguments(this.resource, this.component, checked.problems);
            return checked.value;
        }) as pulumi.Output<R>;
    }

    /** Throws every problem known so far, in one ResourceError. */
    refuseKnown(): void {
        refuseArguments(this.resource, this.component, this.known);
    }
}
