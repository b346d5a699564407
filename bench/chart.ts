/**
 * The benchmark's chart as a hand-written SVG: evaluation time and peak
 * memory against the number of apps, ours against the flat baseline. Both
 * axes of the time panel are logarithmic, so linear growth is a straight line
 * of slope 1; memory has a logarithmic x axis only.
 */
import type { BenchReport } from "./run";

const PANEL = { width: 420, height: 300, left: 70, right: 20, top: 40, bottom: 50 };
const COLOURS = { ours: "#d9480f", baseline: "#1c7ed6" } as const;

interface Series {
    label: keyof typeof COLOURS;
    points: { x: number; y: number }[];
}

interface Panel {
    title: string;
    yLabel: string;
    logY: boolean;
    series: Series[];
}

function niceTicks(min: number, max: number, log: boolean): number[] {
    if (log) {
        const ticks: number[] = [];
        for (let power = Math.floor(Math.log10(min)); power <= Math.ceil(Math.log10(max)); power++) ticks.push(10 ** power);
        return ticks;
    }
    const step = 10 ** Math.floor(Math.log10(max)) / (max / 10 ** Math.floor(Math.log10(max)) < 3 ? 2 : 1);
    return Array.from({ length: Math.floor(max / step) + 2 }, (_, i) => i * step);
}

function renderPanel(panel: Panel, offsetX: number): string {
    const xs = panel.series.flatMap((s) => s.points.map((p) => p.x));
    const ys = panel.series.flatMap((s) => s.points.map((p) => p.y));
    const xTicks = niceTicks(Math.min(...xs), Math.max(...xs), true);
    const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), panel.logY);
    const [xMin, xMax] = [Math.log10(xTicks[0]!), Math.log10(xTicks[xTicks.length - 1]!)];
    const [yLow, yHigh] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
    const plotWidth = PANEL.width - PANEL.left - PANEL.right;
    const plotHeight = PANEL.height - PANEL.top - PANEL.bottom;
    const px = (x: number) => offsetX + PANEL.left + ((Math.log10(x) - xMin) / (xMax - xMin)) * plotWidth;
    const yFraction = (y: number) =>
        panel.logY ? (Math.log10(y) - Math.log10(yLow)) / (Math.log10(yHigh) - Math.log10(yLow)) : (y - yLow) / (yHigh - yLow);
    const py = (y: number) => PANEL.top + plotHeight - yFraction(y) * plotHeight;
    const parts = [
        `<text x="${offsetX + PANEL.width / 2}" y="22" text-anchor="middle" font-weight="bold">${panel.title}</text>`,
        ...xTicks.map(
            (t) =>
                `<line x1="${px(t)}" y1="${PANEL.top}" x2="${px(t)}" y2="${PANEL.top + plotHeight}" stroke="#e9ecef"/><text x="${px(t)}" y="${PANEL.top + plotHeight + 16}" text-anchor="middle">${t}</text>`,
        ),
        ...yTicks.map(
            (t) =>
                `<line x1="${offsetX + PANEL.left}" y1="${py(t)}" x2="${offsetX + PANEL.left + plotWidth}" y2="${py(t)}" stroke="#e9ecef"/><text x="${offsetX + PANEL.left - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`,
        ),
        `<text x="${offsetX + PANEL.left + plotWidth / 2}" y="${PANEL.height - 12}" text-anchor="middle">apps (log scale)</text>`,
        `<text transform="translate(${offsetX + 16} ${PANEL.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${panel.yLabel}</text>`,
        ...panel.series.map((s) => {
            const path = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
            const dots = s.points.map((p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${COLOURS[s.label]}"/>`);
            return `<polyline points="${path}" fill="none" stroke="${COLOURS[s.label]}" stroke-width="2"/>${dots.join("")}`;
        }),
    ];
    return parts.join("\n");
}

export function renderChart(report: BenchReport): string {
    const series = (pick: (side: BenchReport["scaling"][number]["ours"]) => number): Series[] =>
        (["ours", "baseline"] as const).map((label) => ({
            label,
            points: report.scaling.map((step) => ({ x: step.apps, y: pick(step[label]) })),
        }));
    const panels: Panel[] = [
        { title: "Evaluation time (median)", yLabel: "seconds (log scale)", logY: true, series: series((s) => s.evalMs.median / 1000) },
        { title: "Peak memory (median)", yLabel: "RSS, MiB", logY: false, series: series((s) => s.maxRssMiB.median) },
    ];
    const width = PANEL.width * panels.length;
    const legend = (["ours", "baseline"] as const)
        .map((label, i) => `<rect x="${20 + i * 110}" y="${PANEL.height + 8}" width="14" height="4" fill="${COLOURS[label]}"/><text x="${40 + i * 110}" y="${PANEL.height + 14}">${label === "ours" ? "the program" : "flat baseline"}</text>`)
        .join("");
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL.height + 50}" font-family="sans-serif" font-size="12">`,
        `<rect width="100%" height="100%" fill="white"/>`,
        ...panels.map((panel, i) => renderPanel(panel, i * PANEL.width)),
        legend,
        `<text x="${width - 10}" y="${PANEL.height + 40}" text-anchor="end" fill="#868e96">${report.date}, ${report.machine.nproc} × ${report.machine.cpu}, Node ${report.machine.node}; ${report.command}</text>`,
        `</svg>`,
        "",
    ].join("\n");
}
