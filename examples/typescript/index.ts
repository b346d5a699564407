/**
 * Using the components from another stack: one API hostname put behind
 * Cequence exactly as the guide does it, with ProtectedHostname (pools,
 * monitors, failover load balancer and cutover, and their safety rules). In
 * your own project, install the package from a tarball or a git URL (README,
 * "Installing the package"; never `npm install` the bare name from the npm
 * registry: we do not publish it there), then import as below. The four building blocks (CequencePool, AppOriginPool,
 * FailoverLoadBalancer, CnameCutover) stay exported for other compositions.
 */
import * as pulumi from "@pulumi/pulumi";
import { ProtectedHostname } from "cloudflare-cequence";

const config = new pulumi.Config();

const api = new ProtectedHostname("api.example.com", {
    accountId: config.require("accountId"),
    zoneId: config.require("zoneId"),
    zone: "example.com",
    hostname: "api.example.com",
    origin: "origin-api.example.com",
    // Cut over only after `npm run preflight` (or the pools' health) says both pools are healthy.
    routing: "loadBalancer",
    stackName: pulumi.getStack(),
    cequenceHostname: config.require("cequenceHostname"),
    cequenceMonitor: { path: "/cequence-health", interval: 15, timeout: 3, retries: 1 },
});

export const lbHostname = api.lbHostname;
export const poolHealthEndpoints = api.poolHealthEndpoints;
export const failOpenSeconds = api.failOpenSeconds;
