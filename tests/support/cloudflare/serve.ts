/**
 * The stand-in on its own, for debugging by hand with a real `pulumi`:
 *
 *     node --import tsx tests/support/cloudflare/serve.ts [--port N] [--account ID] [--zone ID] [--zone-name NAME]
 *
 * prints the base URL for `pulumi config set cloudflare:baseUrl <url>` (the
 * provider wants an API token of 40 to 80 characters from [0-9A-Za-z_-]),
 * serves until Ctrl-C, then prints the schema violations it recorded.
 */
import { parseArgs } from "node:util";
import { CloudflareStandIn } from "./standIn";

const { values } = parseArgs({
    options: {
        port: { type: "string", default: "0" },
        account: { type: "string", default: "0123456789abcdef0123456789abcdef" },
        zone: { type: "string", default: "fedcba9876543210fedcba9876543210" },
        "zone-name": { type: "string", default: "cq-route.com" },
    },
});

const standIn = new CloudflareStandIn();
standIn.state.addZone(standIn.state.addAccount(values.account).id, values["zone-name"], values.zone);
void standIn.start(Number(values.port)).then(() => {
    process.stdout.write(`${standIn.baseUrl}\naccount ${values.account}, zone ${values.zone} (${values["zone-name"]}); Ctrl-C stops\n`);
});
process.once("SIGINT", () => {
    void standIn.stop().then(() => {
        process.stdout.write(`${standIn.served.length} requests; ${standIn.violations.length} schema violations\n${standIn.violations.join("\n")}\n`);
    });
});
