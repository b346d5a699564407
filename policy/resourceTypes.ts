/**
 * The Pulumi type tokens of the resources this stack registers: what the
 * policies check, and what the tests look for in a run.
 */
export const RESOURCE_TYPES = {
    monitor: "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor",
    pool: "cloudflare:index/loadBalancerPool:LoadBalancerPool",
    loadBalancer: "cloudflare:index/loadBalancer:LoadBalancer",
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    /** The provider's deprecated name for DnsRecord, still in use in older stacks. */
    legacyRecord: "cloudflare:index/record:Record",
    notificationPolicy: "cloudflare:index/notificationPolicy:NotificationPolicy",
    managedTransforms: "cloudflare:index/managedTransforms:ManagedTransforms",
    ruleset: "cloudflare:index/ruleset:Ruleset",
    randomPassword: "random:index/randomPassword:RandomPassword",
} as const;
