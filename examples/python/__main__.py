"""The guide's hostname protected by the cloudflare-cequence components, from Python.

ProtectedHostname puts www.cq-route.com behind Cequence: a Cequence pool and an
origin pool, each with its monitor, a failover load balancer that fails open to
the origin, and the CNAME cutover. One CequencePool is used directly, as a
standby pool for a later hostname. Every value but the account, zone and
Cequence hostname has the guide's default; each can be changed with
`pulumi config set`, and the components refuse a bad one (for example a
traffic percentage of 0) before anything is created.
"""

import pulumi
import pulumi_cloudflare_cequence as cequence

config = pulumi.Config()
account_id = config.require("accountId")
zone_id = config.require("zoneId")
cequence_hostname = config.require("cequenceHostname")
hostname = config.get("hostname") or "www.cq-route.com"
origin = config.get("origin") or "origin-www.cq-route.com"
traffic_percent = config.get_int("cequenceTrafficPercent")
stack = pulumi.get_stack()

www = cequence.ProtectedHostname(
    "www",
    account_id=account_id,
    zone_id=zone_id,
    zone="cq-route.com",
    hostname=hostname,
    origin=origin,
    # Cut over only after `npm run preflight` (or the pools' health) says both pools are healthy.
    routing="loadBalancer",
    stack_name=stack,
    cequence_hostname=cequence_hostname,
    cequence_traffic_percent=traffic_percent,
    cequence_monitor={"path": "/", "expected_codes": "200"},
    origin_monitor={"path": "/", "expected_codes": "200"},
)

standby = cequence.CequencePool(
    "cequence-standby",
    account_id=account_id,
    pool_name=f"{stack}-cequence-standby",
    public_hostname=hostname,
    cequence_hostname=cequence_hostname,
    monitor={"path": "/", "expected_codes": "200"},
    # After the hostname's own objects: when ProtectedHostname refuses its arguments, nothing is created.
    opts=pulumi.ResourceOptions(depends_on=[www]),
)

pulumi.export("lbHostname", www.lb_hostname)
pulumi.export("poolHealthEndpoints", www.pool_health_endpoints)
pulumi.export("failOpenSeconds", www.fail_open_seconds)
pulumi.export("standbyPoolId", standby.pool_id)
