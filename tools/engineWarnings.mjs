// npm's engine warnings (EBADENGINE) while tools/bootstrap.mjs installs the
// project with whatever Node.js the machine has. On Node.js 20, npm warns for
// every package that asks for Node.js 22, the project's own included, though
// the install brings Node.js 22 (the `node` devDependency) and every script
// runs on it. Each warning is held until the install ends; then the ones the
// installed Node.js satisfies are summed up in one line, and every other one,
// or one that cannot be read, is printed word for word. Nothing is dropped
// unless the Node.js that will run it satisfies it.

const PREFIX = "npm warn EBADENGINE";

/** Holds npm's engine warnings, one block of lines per package, until the install ends. */
export class EngineWarnings {
    /** @type {Array<{ lines: string[], package?: string, required?: string, current?: string }>} */
    #blocks = [];
    #open = false;

    /** Takes a line of npm's stderr if it belongs to an engine warning; false to pass it through. */
    offer(line) {
        if (!line.startsWith(PREFIX)) return false;
        const body = line.slice(PREFIX.length).trim();
        if (!this.#open || body.endsWith("{")) {
            this.#blocks.push({ lines: [] });
            this.#open = true;
        }
        const block = this.#blocks.at(-1);
        block.lines.push(line);
        const field = /^(package|required|current): (.*?),?$/.exec(body);
        if (field?.[1] === "package") block.package = /^'(.*)'$/.exec(field[2])?.[1];
        if (field?.[1] === "required") block.required = /node: '([^']*)'/.exec(field[2])?.[1];
        if (field?.[1] === "current") block.current = /node: '([^']*)'/.exec(field[2])?.[1];
        if (body === "}") this.#open = false;
        return true;
    }

    /**
     * What to print once the install has ended: every warning word for word
     * but those `installedNode` satisfies (by `satisfies(version, range)`),
     * which get one line. With no installed Node.js, every warning.
     */
    report(installedNode, satisfies) {
        const settled = (block) => installedNode !== undefined && block.package !== undefined && block.required !== undefined && satisfies(installedNode, block.required);
        const kept = this.#blocks.filter((block) => !settled(block)).flatMap((block) => block.lines);
        const summed = this.#blocks.filter(settled);
        if (summed.length === 0) return kept;
        const ranOn = summed[0].current ?? "an older Node.js";
        const packages = summed.map((block) => block.package).join(", ");
        return [
            ...kept,
            `npm ran on Node.js ${ranOn}; ${summed.length} package${summed.length === 1 ? " asks" : "s ask"} for a newer one (EBADENGINE: ${packages}), and the Node.js ${installedNode} the project installed and runs its scripts on satisfies them all.`,
        ];
    }
}
