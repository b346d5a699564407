/**
 * Using the components from another stack: one API hostname put behind
 * Cequence exactly as the guide does it, with ProtectedHostname (pools,
 * monitors, failover load balancer and cutover, and their safety rules). In
 * your own project, install the package from a release tarball (docs/components.md,
 * "Installing the package"; never `npm install` the bare name from the npm
 * registry: we do not publish it there), then import as below. The four building blocks (CequencePool, AppOriginPool,
 * FailoverLoadBalancer, CnameCutover) stay exported for other compositions.
 *
 * Every argument but `routing`, `paths` and `existingRecordId` (which decide
 * what is registered) may be an output: here the zone comes from the stack
 * that owns it, through a StackReference, as most consumers have it.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProtectedHostname, Routing } from "cloudflare-cequence";

const config = new pulumi.Config();
const dns = new pulumi.StackReference(config.require("dnsStack"));

const api = new ProtectedHostname("api.example.com", {
    accountId: config.require("accountId"),
    zoneId: dns.requireOutput("zoneId").apply((id) => String(id)),
    zone: dns.requireOutput("zoneName").apply((name) => String(name)),
    hostname: "api.example.com",
    origin: "origin-api.example.com",
    // Cut over only after `npm run preflight` (or the pools' health) says both pools are healthy.
    routing: Routing.LoadBalancer,
    cequenceHostname: config.require("cequenceHostname"),
    cequenceMonitor: { path: "/cequence-health", interval: 15, timeout: 3, retries: 1 },
});

export const lbHostname = api.lbHostname;
export const poolHealthEndpoints = api.poolHealthEndpoints;
export const failOpenSeconds = api.failOpenSeconds;
