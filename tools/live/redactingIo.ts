/**
 * A command's output with secrets taken out: whatever writes to it (the
 * command, the Cloudflare SDK's `CLOUDFLARE_LOG=debug` lines, which show
 * request bodies) prints `[secret]` instead of a value it was told to hide.
 */
import type { CliIo } from "./commandLine";

const MASK = "[secret]";

export function redactingIo(io: CliIo): { io: CliIo; hide(secret: string): void } {
    const secrets = new Set<string>();
    const redact = (text: string) => [...secrets].reduce((out, secret) => out.split(secret).join(MASK), text);
    const stdout = { write: (text: string) => io.stdout.write(redact(text)) };
    const stderr = { write: (text: string) => io.stderr.write(redact(text)), isTTY: io.stderr.isTTY };
    return { io: { ...io, stdout, stderr }, hide: (secret) => void secrets.add(secret) };
}
