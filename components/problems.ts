/**
 * Problems with what a user wrote, each under the path of the key or
 * argument that holds it (`apps[0].origin`, `cequenceMonitor.interval`): the
 * config and the components list them alike. No imports: the live tools load
 * this without the Pulumi SDK.
 */

/** One problem, under the path that holds it. */
export interface Problem {
    path: string;
    message: string;
}

/** One line per problem, `path: message`. */
export function formatProblems(problems: readonly Problem[]): string {
    return problems.map((p) => `  ${p.path}: ${p.message}`).join("\n");
}
