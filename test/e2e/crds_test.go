//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/test/validate"
)

// crdSources are the CRDs the control plane needs: every kind the function
// composes, exactly as test/validate checks objects against them (so the API
// server and the validator agree on one set of schemas), and all of
// Crossplane's own, which Crossplane core needs before it starts.
func crdSources() []validate.CRDSource {
	var out []validate.CRDSource
	for _, s := range validate.DefaultCRDSources() {
		// The validator reads only the Crossplane kinds a function may
		// compose; the controllers need every one.
		if s.Module == validate.CrossplaneModule {
			continue
		}
		out = append(out, s)
	}
	return append(out, validate.CRDSource{
		Module: validate.CrossplaneModule, Version: validate.CrossplaneVersion,
		Globs: []string{"cluster/crds/*.yaml"},
	})
}

// loadCRDs reads the CRDs of sources from the module cache, downloading the
// modules through the module proxy first if needed, and returns them as
// objects ready to apply.
func loadCRDs(ctx context.Context, sources []validate.CRDSource) ([]*unstructured.Unstructured, error) {
	var mods []string
	for _, s := range sources {
		mods = append(mods, s.Module+"@"+s.Version)
	}
	dirs, err := moduleDirs(ctx, mods)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, s := range sources {
		crds, err := readCRDs(dirs[s.Module+"@"+s.Version], s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
		out = append(out, crds...)
	}
	return out, nil
}

// readCRDs reads the CRDs in the files of s under dir, keeps those s names
// (all if it names none) and transforms them as s says.
func readCRDs(dir string, s validate.CRDSource) ([]*unstructured.Unstructured, error) {
	if s.Dir != "" {
		// Generated from the module's types (validate.GeneratedCRDDir).
		dir = s.Dir
	}
	want := map[string]bool{}
	for _, n := range s.Names {
		want[n] = true
	}
	var out []*unstructured.Unstructured
	for _, g := range s.Globs {
		files, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s matches no file in %s", g, dir)
		}
		for _, f := range files {
			data, err := os.ReadFile(f) //nolint:gosec // schema files in the module cache.
			if err != nil {
				return nil, err
			}
			dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
			for {
				crd := &apiextensionsv1.CustomResourceDefinition{}
				if err := dec.Decode(crd); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				if crd.Kind != "CustomResourceDefinition" || (len(want) > 0 && !want[crd.Name]) {
					continue
				}
				if s.Transform != nil {
					s.Transform(crd)
				}
				u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(crd)
				if err != nil {
					return nil, err
				}
				// Only the spec is ours to apply.
				delete(u, "status")
				unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
				out = append(out, &unstructured.Unstructured{Object: u})
			}
		}
	}
	return out, nil
}

// moduleDirs returns the module cache directory of each module@version, as
// test/validate finds its schemas: `go mod download -json`, run outside any
// module so it can't touch a go.mod, downloads what isn't cached yet and
// verifies it against the checksum database.
func moduleDirs(ctx context.Context, mods []string) (map[string]string, error) {
	args := append([]string{"mod", "download", "-json"}, mods...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	dirs := map[string]string{}
	var failed []string
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var m struct{ Path, Version, Dir, Error string }
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("cannot parse go mod download output: %w", err)
		}
		if m.Error != "" {
			failed = append(failed, m.Path+"@"+m.Version+": "+m.Error)
			continue
		}
		dirs[m.Path+"@"+m.Version] = m.Dir
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("cannot download modules: %s", strings.Join(failed, "; "))
	}
	if runErr != nil {
		return nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), runErr, stderr.String())
	}
	for _, m := range mods {
		if dirs[m] == "" {
			return nil, fmt.Errorf("go mod download reported no directory for %s", m)
		}
	}
	return dirs, nil
}
