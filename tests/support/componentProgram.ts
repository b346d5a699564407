/**
 * Runs a component the way a library user builds it: a one-line program that
 * constructs it with the given args, under the same mocks as the stack.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after } from "node:test";
import { PROJECT_ROOT, runProgram, type ProgramRun } from "../../tools/plan/mockEngine";

const scratch = mkdtempSync(path.join(tmpdir(), "component-program-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let programs = 0;

/**
 * Constructs `new <component>(name, args)` from the package's components and
 * runs it; each of `outputs` (the component's output properties) becomes a
 * stack output of that name, as a user would export it.
 */
export function runComponent(component: string, name: string, args: Record<string, unknown>, outputs: string[] = []): Promise<ProgramRun> {
    return runComponentSource(component, name, JSON.stringify(args), outputs);
}

/**
 * The same with the args as TypeScript source, for args that are outputs:
 * the program has `pulumi` (the SDK the mocks run) in scope, e.g.
 * `{ ..., monitor: { interval: pulumi.output(5) } }`.
 */
export function runComponentSource(component: string, name: string, argsSource: string, outputs: string[] = []): Promise<ProgramRun> {
    programs += 1;
    const program = path.join(scratch, `program-${programs}.ts`);
    writeFileSync(
        program,
        `import * as pulumi from ${JSON.stringify(path.join(PROJECT_ROOT, "node_modules", "@pulumi", "pulumi"))};\n` +
            `import { ${component} } from ${JSON.stringify(path.join(PROJECT_ROOT, "components"))};\n` +
            `const component = new ${component}(${JSON.stringify(name)}, ${argsSource});\n` +
            "void pulumi;\n" +
            outputs.map((output) => `export const ${output} = component.${output};\n`).join(""),
    );
    return runProgram({ program, stack: "test", config: { values: {}, secretKeys: [] } });
}
