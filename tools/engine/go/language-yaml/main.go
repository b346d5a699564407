// Command pulumi-language-yaml is Pulumi's YAML language host, built from
// pulumi-yaml v1.25.0's own server package (pkg/server) for the examples/yaml
// stack. It differs from pulumi-yaml's cmd/pulumi-language-yaml in one
// argument: it loads package schemas through the engine's loader service
// (the RunRequest's loader target, pulumi/pulumi#17077), which upstream's
// server supports but its v1.25.0 command leaves off.
//
// Why: with that loader off, the host starts component packages itself with
// its own copy of the Pulumi SDK (v3.206.0), which passes the Node.js language
// host a -root flag that the host we build (v3.259.0) no longer accepts. Through
// the engine's loader, the CLI starts our component package exactly as it does
// for TypeScript and Python stacks. Not part of the program.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

func main() {
	var tracing string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	// Accepted and ignored, as upstream's command does: older CLIs pass them.
	flag.String("root", "", "Root of the program execution (ignored)")
	flag.String("compiler", "", "[obsolete] Compiler to use to pre-process YAML (ignored)")
	flag.Parse()
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-yaml", "pulumi-language-yaml", tracing)

	var engineAddress string
	var cancel chan bool
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
		var err error
		if cancel, err = healthChecks(engineAddress); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, server.NewLanguageHost(engineAddress, tracing, true /* useRPCLoader */))
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The spawner reads the port from the first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// healthChecks closes the returned channel, stopping the server, when the
// engine stops answering or on SIGINT, so the host never outlives its CLI.
func healthChecks(engineAddress string) (chan bool, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()
	if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
		return nil, err
	}
	return cancel, nil
}
