/** Runs the program with mocks that answer no provider function: the run must fail, naming the function. */
import { runProgram } from "../../tools/mockEngine";
import { guideConfig, toRaw } from "./stack";

void runProgram({ stack: "prod", config: toRaw(guideConfig()), calls: {} }).then((run) => {
    process.stdout.write(`${run.error?.message ?? "no error"}\n`);
    process.exitCode = run.error ? 1 : 0;
});
