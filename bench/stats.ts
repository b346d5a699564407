/** Summaries of repeated measurements: the median and the spread, never the mean of a noisy machine. */

export interface Summary {
    median: number;
    min: number;
    max: number;
    samples: number[];
}

export function summarise(values: readonly number[]): Summary {
    if (values.length === 0) throw new Error("no samples to summarise");
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: [...values] };
}
