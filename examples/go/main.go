// The guide's hostname protected by the cloudflare-cequence components, from Go.
//
// ProtectedHostname puts www.cq-route.com behind Cequence: a Cequence pool and
// an origin pool, each with its monitor, a failover load balancer that fails
// open to the origin, and the CNAME cutover. One CequencePool is used
// directly, as a standby pool for a later hostname. The SDK is generated from
// this repository's component schema into sdks/cloudflare-cequence (see
// README.md); go.mod points the SDK's module path there.
package main

import (
	cequence "example.com/pulumi-cloudflare-cequence/sdk/go/cloudflarecequence"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		accountID := cfg.Require("accountId")
		zoneID := cfg.Require("zoneId")
		cequenceHostname := cfg.Require("cequenceHostname")
		hostname := orDefault(cfg.Get("hostname"), "www.cq-route.com")
		origin := orDefault(cfg.Get("origin"), "origin-www.cq-route.com")
		stack := ctx.Stack()
		monitor := &cequence.MonitorArgsArgs{Path: pulumi.String("/"), ExpectedCodes: pulumi.String("200")}

		// Cut over only after `npm run preflight` (or the pools' health) says both pools are healthy.
		routing := cequence.RoutingLoadBalancer
		args := &cequence.ProtectedHostnameArgs{
			AccountId:        pulumi.String(accountID),
			ZoneId:           pulumi.String(zoneID),
			Zone:             pulumi.String("cq-route.com"),
			Hostname:         pulumi.String(hostname),
			Origin:           pulumi.String(origin),
			Routing:          &routing,
			StackName:        pulumi.String(stack),
			CequenceHostname: pulumi.String(cequenceHostname),
			CequenceMonitor:  monitor,
			OriginMonitor:    monitor,
		}
		if percent, err := cfg.TryInt("cequenceTrafficPercent"); err == nil {
			args.CequenceTrafficPercent = pulumi.Float64(float64(percent))
		}
		www, err := cequence.NewProtectedHostname(ctx, "www", args)
		if err != nil {
			return err
		}

		standby, err := cequence.NewCequencePool(ctx, "cequence-standby", &cequence.CequencePoolArgs{
			AccountId:        pulumi.String(accountID),
			PoolName:         pulumi.String(stack + "-cequence-standby"),
			PublicHostname:   pulumi.String(hostname),
			CequenceHostname: pulumi.String(cequenceHostname),
			Monitor:          monitor,
			// After the hostname's own objects: when ProtectedHostname refuses its arguments, nothing is created.
		}, pulumi.DependsOn([]pulumi.Resource{www}))
		if err != nil {
			return err
		}

		ctx.Export("lbHostname", www.LbHostname)
		ctx.Export("poolHealthEndpoints", www.PoolHealthEndpoints)
		ctx.Export("failOpenSeconds", www.FailOpenSeconds)
		ctx.Export("standbyPoolId", standby.PoolId)
		return nil
	})
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
