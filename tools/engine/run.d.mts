// Types for run.mjs.
export interface StepResult {
    code: number | null;
    timedOut: boolean;
    seconds: number;
    stdout: string;
    stderr: string;
}
export declare function endStepsOnSignal(): void;
export declare function runBounded(
    command: string,
    args: string[],
    options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; progress?: string; progressEveryMs?: number; stdout?: number },
): Promise<StepResult>;
