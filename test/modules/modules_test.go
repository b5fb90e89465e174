// Package modules checks that the project's Go modules resolve the modules
// they build in common to the same versions. Go's build cache keys a package
// on its dependencies' versions, so two modules that build k8s.io/api at
// v0.36.3 on top of different golang.org/x/net versions compile all of
// k8s.io/api twice: on a cold 2-core machine, CI pays minutes for each such
// drift, and a `go get` in one module makes it silently.
package modules

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A pair is two modules that should build their common dependencies at the
// same versions, and the modules that may differ, with why.
type pair struct {
	a, b  build
	apart map[string]string
}

// A build is what one module compiles: its directory (from the repository's
// root) and the packages it builds there.
type build struct {
	dir  string
	pkgs []string
	tags string
}

func TestSharedModulesAgree(t *testing.T) {
	fn := build{dir: ".", pkgs: []string{"./..."}}
	cases := map[string]struct {
		reason string
		pair   pair
	}{
		"function and tests": {
			reason: "The test module builds the function's libraries (client-go, apimachinery, grpc) for its validation, render and e2e tests.",
			pair:   pair{a: fn, b: build{dir: "test", pkgs: []string{"./..."}, tags: "e2e"}},
		},
		"function and controller-gen": {
			reason: "controller-gen builds apimachinery and apiextensions, which the tests build too.",
			pair:   pair{a: fn, b: build{dir: "tools/controller-gen", pkgs: []string{"sigs.k8s.io/controller-tools/cmd/controller-gen"}}},
		},
		"crossplane CLI and core": {
			reason: "The CLI (render) and core (e2e) share most of their Kubernetes and gRPC libraries.",
			pair: pair{
				a: build{dir: "tools/crossplane", pkgs: []string{"github.com/crossplane/crossplane/v2/cmd/crank"}},
				b: build{dir: "tools/controlplane/crossplane", pkgs: []string{"github.com/crossplane/crossplane/v2/cmd/crossplane"}},
				apart: map[string]string{
					"github.com/crossplane/crossplane/v2":         "v2.2.0 is the last release with the CLI; core is v2.4.0",
					"github.com/crossplane/crossplane-runtime/v2": "the CLI at v2.2.0 does not build with v2.4.0's runtime (apis/common moved)",
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := modulesOf(t, tc.pair.a), modulesOf(t, tc.pair.b)
			var drift []string
			for path, va := range a {
				vb, ok := b[path]
				if !ok || va == vb {
					continue
				}
				if _, ok := tc.pair.apart[path]; ok {
					continue
				}
				drift = append(drift, fmt.Sprintf("%s: %s in %s, %s in %s", path, va, tc.pair.a.dir, vb, tc.pair.b.dir))
			}
			sort.Strings(drift)
			if len(drift) > 0 {
				t.Errorf("%s\n%d modules built by both resolve to different versions, so each compiles twice on a cold machine; "+
					"`go get` the higher version in the other module (then `go mod tidy`):\n%s",
					tc.reason, len(drift), strings.Join(drift, "\n"))
			}
			// The exceptions must still be needed: one that no longer differs
			// is stale and would hide a future drift.
			for path, why := range tc.pair.apart {
				if a[path] == b[path] {
					t.Errorf("%s is listed as differing (%s) but both resolve %s: remove the exception", path, why, a[path])
				}
			}
		})
	}
}

// modulesOf lists the module versions whose packages the build compiles,
// test dependencies included, as `go list -deps -test` resolves them.
func modulesOf(t *testing.T, b build) map[string]string {
	t.Helper()
	args := []string{"list", "-deps", "-test", "-f", "{{with .Module}}{{.Path}} {{.Version}}{{end}}"}
	if b.tags != "" {
		args = append(args, "-tags", b.tags)
	}
	cmd := exec.Command("go", append(args, b.pkgs...)...) //nolint:gosec // fixed arguments.
	cmd.Dir = filepath.Join("..", "..", b.dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in %s: %v\n%s", b.dir, err, stderr.String())
	}
	mods := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, version, ok := strings.Cut(line, " ")
		// The module being built has no version.
		if ok && version != "" {
			mods[path] = version
		}
	}
	if len(mods) == 0 {
		t.Fatalf("go list in %s listed no dependency modules", b.dir)
	}
	return mods
}
