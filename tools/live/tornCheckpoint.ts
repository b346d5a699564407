/**
 * A stack whose checkpoint cannot be read (`failed to load checkpoint`): an
 * update killed while the file backend wrote its state file. Pulumi's file
 * backend copies `<stack>.json` to `<stack>.json.bak` before every write of
 * it (pkg/backend/diy/state.go, `saveCheckpoint` → `backupTarget`), so the
 * `.bak` holds the checkpoint of the write before the torn one: the killed
 * update's pending creates up to then. A create is sent to Cloudflare only
 * after the checkpoint recording it was written, so none is missing from it
 * that Cloudflare made. (`.pulumi/backups/<project>/<stack>/` holds a copy
 * per *finished* update only, without the killed update's pending creates:
 * restoring one of those would lose them.)
 */
import { copyFileSync, existsSync, readFileSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { CliError } from "./cliError";

/** What `pulumi` says of a checkpoint it cannot read (pkg/backend/diy). */
const UNREADABLE = "failed to load checkpoint";

export function isUnreadableCheckpoint(error: unknown): boolean {
    return error instanceof CliError && error.message.includes(UNREADABLE);
}

export interface CheckpointRestore {
    /** The stack's state file, which cannot be read. */
    file: string;
    /** The file backend's copy of it before the torn write. */
    backup: string;
    /** Where the torn file is kept, for a post-mortem. */
    keptAs: string;
    /** The pending creates the backup holds, for `recover` to decide after the restore. */
    pendingCreates: number;
}

/**
 * Where the stack's state file and its `.bak` are, from the backend URL
 * (`pulumi whoami --json`) and the project's name (`Pulumi.yaml`): a file
 * backend keeps a stack at `<url path>/.pulumi/stacks/<project>/<stack>.json`
 * (pkg/backend/diy/store.go, the project layout). Refuses what it cannot
 * restore: another backend, a missing or unreadable `.bak`.
 */
export function planRestore(backendUrl: string, projectDir: string, stack: string): CheckpointRestore {
    if (!backendUrl.startsWith("file://")) {
        throw new CliError(
            `The stack's checkpoint cannot be read, and its backend (${backendUrl}) is not a file backend recover can restore from. ` +
                "An object-store backend keeps <stack>.json.bak beside <stack>.json too (.pulumi/stacks/<project>/): copy it over <stack>.json in the bucket, then run `pulumi cancel` and recover again.",
        );
    }
    const root = backendUrl === "file://~" || backendUrl.startsWith("file://~/") ? path.join(homedir(), backendUrl.slice("file://~".length)) : fileURLToPath(backendUrl.split("?")[0]!);
    const file = path.join(root, ".pulumi", "stacks", projectName(projectDir), `${stack}.json`);
    const backup = `${file}.bak`;
    if (!existsSync(backup)) throw new CliError(`The stack's checkpoint ${file} cannot be read, and the file backend kept no ${path.basename(backup)} beside it to restore.`);
    let pending: unknown;
    try {
        pending = (JSON.parse(readFileSync(backup, "utf8")) as { checkpoint?: { latest?: { pending_operations?: unknown } } }).checkpoint?.latest?.pending_operations;
    } catch {
        throw new CliError(`The stack's checkpoint ${file} cannot be read, and neither can its backup ${backup}: restore the state from elsewhere (a copy of the backend).`);
    }
    return { file, backup, keptAs: `${file}.torn`, pendingCreates: Array.isArray(pending) ? pending.filter((op) => (op as { type?: unknown }).type === "creating").length : 0 };
}

/** Keeps the torn file as `keptAs` and puts the backup in its place. */
export function restore(plan: CheckpointRestore): void {
    renameSync(plan.file, plan.keptAs);
    copyFileSync(plan.backup, plan.file);
}

function projectName(dir: string): string {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((name) => path.join(dir, name)).find(existsSync);
    const name = file === undefined ? undefined : (parse(readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
    if (typeof name !== "string") throw new CliError(`The stack's checkpoint cannot be read, and ${dir} has no Pulumi.yaml naming the project, whose folder of the backend holds it.`);
    return name;
}
