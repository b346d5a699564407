// Command sdkgen generates the Go SDK of this repository's component package
// from its schema (the JSON `pulumi package get-schema` prints), with the Go
// code generator of Pulumi's pkg module, the one pulumi-language-go calls for
// `pulumi package gen-sdk --language go`. That host is a Go module of its own
// (github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3), which the Go module
// proxy here refuses (403), so the CLI cannot generate Go itself. Not part of
// the program.
//
// Usage: sdkgen <schema.json> <output folder>
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen <schema.json> <output folder>")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}

func generate(schemaPath, out string) error {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noOtherPackages{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	// A module of its own, with a go.mod, as `pulumi package add` lays out a local package's SDK.
	pkg.SupportPack = true
	files, err := gogen.GeneratePackage("pulumi-sdkgen", pkg, nil)
	if err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noOtherPackages is the schema loader for a package that references no other
// package's types: asked for one, it says so rather than fetching a plugin.
type noOtherPackages struct{}

func (noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the component schema references package %q; sdkgen loads no other package", name)
}

func (l noOtherPackages) LoadPackageV2(_ context.Context, descriptor *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(descriptor.Name, nil)
}
