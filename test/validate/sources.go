package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Pinned versions of the modules schemas are read from. They are not in this
// module's go.mod: nothing imports their Go code, and k8s.io/kubernetes can't
// be required without replace directives. They are fetched from the module
// proxy with `go mod download`, which verifies them against go.sum's checksum
// database like any other module.
const (
	// KubernetesModule publishes the OpenAPI v3 documents of every built-in
	// group-version under api/openapi-spec/v3.
	KubernetesModule  = "k8s.io/kubernetes"
	KubernetesVersion = "v1.34.2"

	LWSModule  = "sigs.k8s.io/lws"
	LWSVersion = "v0.9.0"

	GatewayAPIModule  = "sigs.k8s.io/gateway-api"
	GatewayAPIVersion = "v1.6.3"

	InferenceExtensionModule  = "sigs.k8s.io/gateway-api-inference-extension"
	InferenceExtensionVersion = "v1.6.0"

	CrossplaneModule  = "github.com/crossplane/crossplane/v2"
	CrossplaneVersion = "v2.4.0"
)

// openAPIDir is where k8s.io/kubernetes keeps the OpenAPI v3 documents.
const openAPIDir = "api/openapi-spec/v3"

// A CRDSource is a set of CustomResourceDefinition files inside a Go module.
type CRDSource struct {
	Module  string
	Version string

	// Globs are filepath.Match patterns relative to the module's root.
	Globs []string
}

func (s CRDSource) String() string { return s.Module + "@" + s.Version }

// DefaultCRDSources are the CRDs of every custom kind the function composes,
// plus the Crossplane kinds a function may emit (EnvironmentConfig, Usage).
func DefaultCRDSources() []CRDSource {
	return []CRDSource{
		{Module: LWSModule, Version: LWSVersion, Globs: []string{
			"config/crd/bases/leaderworkerset.x-k8s.io_leaderworkersets.yaml",
		}},
		// Only the CRD files: since v1.5 the standard channel directory also
		// ships a ValidatingAdmissionPolicy (vap_safeupgrades.yaml).
		{Module: GatewayAPIModule, Version: GatewayAPIVersion, Globs: []string{
			"config/crd/standard/gateway.networking.k8s.io_[^v]*.yaml",
		}},
		{Module: InferenceExtensionModule, Version: InferenceExtensionVersion, Globs: []string{
			"config/crd/bases/inference.networking.k8s.io_inferencepools.yaml",
		}},
		{Module: CrossplaneModule, Version: CrossplaneVersion, Globs: []string{
			"cluster/crds/apiextensions.crossplane.io_*.yaml",
			"cluster/crds/protection.crossplane.io_*.yaml",
		}},
	}
}

// A moduleVersion is a module path pinned to an exact version.
type moduleVersion struct {
	Path    string
	Version string
}

func (m moduleVersion) String() string { return m.Path + "@" + m.Version }

// downloadedModule is the part of `go mod download -json` output we need.
type downloadedModule struct {
	Path    string
	Version string
	Dir     string
	Error   string
}

// moduleDirs returns the module cache directory of each module, downloading
// the modules through the module proxy if they aren't cached yet. One `go`
// invocation serves all of them; it takes milliseconds once they're cached.
func moduleDirs(ctx context.Context, mods []moduleVersion) (map[moduleVersion]string, error) {
	args := []string{"mod", "download", "-json"}
	seen := map[moduleVersion]bool{}
	for _, m := range mods {
		if seen[m] {
			continue
		}
		seen[m] = true
		args = append(args, m.String())
	}
	sort.Strings(args[3:])

	gobin, err := goBinary()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, gobin, args...)
	// Run outside any module so that `go mod download` can't touch a go.mod
	// or go.sum, and so that a -mod flag in GOFLAGS doesn't apply.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on", "GOFLAGS="+withoutModFlag(os.Getenv("GOFLAGS")))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()

	// go mod download -json prints one JSON object per module, with an Error
	// field for the modules it could not download, even when it exits non-zero.
	dirs := map[moduleVersion]string{}
	var failed []string
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		d := downloadedModule{}
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("cannot parse output of %s %s: %w", gobin, strings.Join(args, " "), err)
		}
		if d.Error != "" {
			failed = append(failed, d.Path+"@"+d.Version+": "+d.Error)
			continue
		}
		dirs[moduleVersion{Path: d.Path, Version: d.Version}] = d.Dir
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("cannot download modules: %s", strings.Join(failed, "; "))
	}
	if runErr != nil {
		return nil, fmt.Errorf("cannot run %s %s: %w: %s", gobin, strings.Join(args, " "), runErr, strings.TrimSpace(stderr.String()))
	}
	for m := range seen {
		if dirs[m] == "" {
			return nil, fmt.Errorf("go mod download did not report a directory for %s", m)
		}
	}
	return dirs, nil
}

// goBinary finds the go command. go test puts $GOROOT/bin first in PATH, so
// LookPath normally finds the toolchain running the tests.
func goBinary() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go") //nolint:staticcheck // Only a fallback when go is not in PATH.
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("cannot find the go command in PATH or GOROOT")
	}
	return p, nil
}

// withoutModFlag drops -mod=... from GOFLAGS: go mod download refuses it.
func withoutModFlag(goflags string) string {
	kept := []string{}
	for _, f := range strings.Fields(goflags) {
		if strings.HasPrefix(f, "-mod=") || strings.HasPrefix(f, "--mod=") {
			continue
		}
		kept = append(kept, f)
	}
	return strings.Join(kept, " ")
}

// expandGlobs returns the files matching globs under dir, sorted, and fails
// for a glob that matches nothing: a moved file must not silently shrink the
// set of kinds we can check.
func expandGlobs(dir string, globs []string) ([]string, error) {
	var files []string
	for _, g := range globs {
		matches, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", g, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("glob %q matches no file in %s", g, dir)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	return files, nil
}
