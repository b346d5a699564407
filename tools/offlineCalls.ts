/**
 * What the provider functions answer when the program runs offline (plan,
 * tests, benchmark). Any function not listed here fails the run.
 */
import type { CallHandlers } from "./mockEngine";

export const OFFLINE_CALLS: CallHandlers = {};
