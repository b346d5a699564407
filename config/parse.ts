/**
 * Parses the stack's config once, for the program and the tools alike: the
 * raw namespace, the schema, the cross-checks, every problem at once under
 * its key path, and then the defaults that depend on other keys.
 */
import { hasLoadBalancer, defaultLbHostname } from "../components/naming";
import { crossCheck } from "./crossChecks";
import { dedupe, describeZodIssue, type ConfigIssue } from "./messages";
import { checkApiToken, checkNamespaces, namespaceValues, type RawStackConfig } from "./rawConfig";
import { stackConfigSchema, type StackConfig } from "./schema";
import { explainUnreadable } from "./unreadable";

export type ParseResult = { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

/** Parses and validates the stack's config; never throws for bad config. */
export function parseStackConfig(raw: RawStackConfig): ParseResult {
    const input = namespaceValues(raw.values);
    const issues: ConfigIssue[] = [...checkApiToken(raw), ...checkNamespaces(raw)];
    const parsed = stackConfigSchema.safeParse(input, { reportInput: true });
    if (!parsed.success) issues.push(...parsed.error.issues.flatMap(describeZodIssue));
    issues.push(...crossCheck(input));
    const explained = explainUnreadable(raw, issues);
    if (explained.length > 0) return { ok: false, issues: dedupe(explained) };
    const config = parsed.data!;
    const apps = config.apps.map((a) => ({ ...a, lbHostname: a.lbHostname ?? defaultLbHostname(a.hostname, config.zone) }));
    // A shared pool's monitor probes as one hostname; by default the first one it serves.
    const sharedMonitorHost = config.cequence.sharedPool
        ? (config.cequence.monitor.host ?? apps.find(hasLoadBalancer)?.hostname)
        : undefined;
    const monitor = sharedMonitorHost === undefined ? config.cequence.monitor : { ...config.cequence.monitor, host: sharedMonitorHost };
    // One notification per address, however often it is listed.
    const alerts = {
        emails: uniqueEmails(config.alerts.emails),
        webhookIds: unique(config.alerts.webhookIds),
        pagerdutyIds: unique(config.alerts.pagerdutyIds),
    };
    return { ok: true, config: { ...config, cequence: { ...config.cequence, monitor }, apps, alerts } };
}

/** The list without repeats, in first-seen order. */
function unique(values: string[]): string[] {
    return [...new Set(values)];
}

/** Emails without repeats; the domain is case-insensitive, so `ops@Example.com` repeats `ops@example.com`. */
function uniqueEmails(emails: string[]): string[] {
    const key = (email: string) => email.replace(/@[^@]*$/, (domain) => domain.toLowerCase());
    const first = new Map<string, string>();
    for (const email of emails) if (!first.has(key(email))) first.set(key(email), email);
    return [...first.values()];
}
