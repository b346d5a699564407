/**
 * The edge-authentication header the deployed monitors send with every probe
 * (index.ts: the config's active slot's secret, which the stack also exports
 * as `edgeAuthSecrets`), for `preflight`'s previews: once Cequence or the
 * origin refuses requests without it, a preview without it finds 403.
 * Read with `pulumi stack output --json --show-secrets`; the value is a
 * secret, so nothing here puts it or the CLI's output in a message.
 */
import type { StackConfig } from "../../config/schema";
import { CliError } from "./cliError";
import { runPulumi, type PulumiRun } from "./pulumiCommand";

export interface ProbeAuthHeader {
    name: string;
    /** The secret: sent to Cloudflare in the preview's monitor, never printed. */
    value: string;
}

/** Reading the outputs is quick; a longer wait is a hung CLI or backend. */
const OUTPUT_TIMEOUT_MS = 60_000;

const OUTPUT_ARGS = ["stack", "output", "--json", "--show-secrets"];

/** The header, or undefined when the config has no edge authentication. */
export async function readProbeAuthHeader(config: StackConfig, stack: string, run: Omit<PulumiRun, "timeoutMs" | "onOutput">): Promise<ProbeAuthHeader | undefined> {
    if (config.edgeAuth === undefined) return undefined;
    const { headerName, active } = config.edgeAuth;
    const printed = await runPulumi([...OUTPUT_ARGS, "--stack", stack], { ...run, timeoutMs: OUTPUT_TIMEOUT_MS });
    let outputs: unknown;
    try {
        outputs = JSON.parse(printed);
    } catch {
        // What it printed is not repeated: it may hold the secrets.
        throw new CliError(`\`pulumi ${OUTPUT_ARGS.join(" ")} --stack ${stack}\` printed no JSON.`);
    }
    const secrets = (outputs as { edgeAuthSecrets?: Record<string, unknown> } | null)?.edgeAuthSecrets;
    const value = secrets?.[active];
    if (typeof value !== "string" || value === "") {
        throw new CliError(
            `edge authentication is on, but stack ${stack}'s outputs hold no edgeAuthSecrets.${active} (the slot edgeAuth.active names), the ${headerName} value the monitors send: ` +
                "run `pulumi up` (with routing: origin, which cuts nothing over) so the stack makes its secrets, then preflight again. Without the header a pool whose Cequence or origin enforces it would preview as 403.",
        );
    }
    return { name: headerName, value };
}
