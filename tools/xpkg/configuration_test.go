package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"gopkg.in/yaml.v3"
)

const (
	// envConfiguration names the Configuration .xpkg file
	// TestConfigurationPackage opens; `make xpkg-check` sets it, and the
	// two below. Without it the test skips, so `go test ./...` stays
	// hermetic.
	envConfiguration = "CONFIGURATION_FILE"
	// envConfigurationVersion is the Makefile's VERSION: the function
	// version the Configuration must depend on.
	envConfigurationVersion = "CONFIGURATION_VERSION"
	// envConfigurationSources are the files, space separated, whose
	// objects the package must carry unchanged and nothing else.
	envConfigurationSources = "CONFIGURATION_SOURCES"

	// functionsFile is the Function the Compositions call, as render and
	// e2e register it: the dependency must name its package.
	functionsFile = "../../example/functions.yaml"

	configurationName = "configuration-llm-inference-service"
)

// TestConfigurationPackage opens the Configuration package `make xpkg`
// built and checks it is the catalog a platform installs: its metadata
// depends on this function at the Makefile's VERSION, it carries exactly the
// objects of the source files, and those form a whole catalog (see
// catalogProblems).
func TestConfigurationPackage(t *testing.T) {
	path := os.Getenv(envConfiguration)
	if path == "" {
		t.Skipf("%s is not set; run `make xpkg-check`", envConfiguration)
	}
	version, sources := os.Getenv(envConfigurationVersion), strings.Fields(os.Getenv(envConfigurationSources))
	if version == "" || len(sources) == 0 {
		t.Fatalf("%s and %s must be set with %s; run `make xpkg-check`", envConfigurationVersion, envConfigurationSources, envConfiguration)
	}

	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		t.Fatalf("cannot open package %s: %v", path, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("cannot read package config: %v", err)
	}
	docs := packageDocs(t, img, cfg)
	if len(docs) == 0 {
		t.Fatal("package.yaml holds no objects")
	}
	meta, objs := docs[0], docs[1:]
	fnName, fnRepo := functionPackage(t)

	t.Run("Metadata", func(t *testing.T) {
		checks := map[string]struct{ got, want string }{
			"apiVersion":    {got: lookup(meta, "apiVersion"), want: "meta.pkg.crossplane.io/v1"},
			"kind":          {got: lookup(meta, "kind"), want: "Configuration"},
			"metadata.name": {got: lookup(meta, "metadata", "name"), want: configurationName},
		}
		for field, c := range checks {
			if c.got != c.want {
				t.Errorf("package.yaml meta %s = %q, want %q", field, c.got, c.want)
			}
		}
		if v := lookup(meta, "spec", "crossplane", "version"); v == "" {
			t.Error("package.yaml meta spec.crossplane.version is empty, want the Crossplane versions the XRDs need")
		}
	})

	t.Run("DependsOnTheFunction", func(t *testing.T) {
		deps, _ := walk(meta, []string{"spec", "dependsOn"}).([]any)
		got := make([]map[string]any, 0, len(deps))
		for _, d := range deps {
			m, _ := d.(map[string]any)
			got = append(got, m)
		}
		want := []map[string]any{{
			"apiVersion": "pkg.crossplane.io/v1",
			"kind":       "Function",
			"package":    fnRepo,
			"version":    version,
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("package.yaml meta spec.dependsOn: want this function (%s) at VERSION: -want, +got:\n%s", functionsFile, diff)
		}
	})

	t.Run("Objects", func(t *testing.T) {
		want := map[string]map[string]any{}
		for _, src := range sources {
			for _, o := range readDocs(t, src) {
				want[objectID(o)] = o
			}
		}
		got := map[string]map[string]any{}
		for _, o := range objs {
			// xpkg build writes each object through its Go type, which
			// adds an empty status; only the rest is the source's.
			delete(o, "status")
			got[objectID(o)] = o
		}
		if diff := cmp.Diff(sortedKeys(want), sortedKeys(got)); diff != "" {
			t.Fatalf("the package's objects are not those of %s: -want, +got:\n%s", strings.Join(sources, " "), diff)
		}
		for _, id := range sortedKeys(got) {
			if diff := cmp.Diff(want[id], got[id]); diff != "" {
				// An XRD's diff runs to megabytes: its start says enough.
				t.Errorf("the package's %s differs from its source: -want, +got:\n%.4000s", id, diff)
				continue
			}
			t.Logf("package carries %s", id)
		}
	})

	t.Run("Catalog", func(t *testing.T) {
		for _, p := range catalogProblems(objs, fnName) {
			t.Error(p)
		}
	})
}

// catalogProblems says what keeps objs from being a catalog Crossplane can
// serve on its own: only XRDs and Compositions (all a Configuration may
// carry besides activation policies and Operations, which this one has no
// use for), each Composition for an XRD of the package at a version the XRD
// serves, each XRD with a Composition for its referenceable version (else
// its XRs wait for one forever), and every pipeline step calling the
// function by fn, the name the function is installed under.
func catalogProblems(objs []map[string]any, fn string) []string {
	var problems []string
	served := map[string]bool{}    // "group/version Kind" an XRD serves.
	referable := map[string]bool{} // "group/version Kind" an XRD's XRs are composed at.
	composed := map[string]bool{}  // "group/version Kind" a Composition is for.
	for _, o := range objs {
		id := objectID(o)
		switch kind := lookup(o, "kind"); kind {
		case "CompositeResourceDefinition":
			group, xrKind := lookup(o, "spec", "group"), lookup(o, "spec", "names", "kind")
			versions, _ := walk(o, []string{"spec", "versions"}).([]any)
			for _, v := range versions {
				vm, _ := v.(map[string]any)
				name, _ := vm["name"].(string)
				gvk := group + "/" + name + " " + xrKind
				if s, _ := vm["served"].(bool); s {
					served[gvk] = true
				}
				if r, _ := vm["referenceable"].(bool); r {
					referable[gvk] = true
				}
			}
		case "Composition":
			gvk := lookup(o, "spec", "compositeTypeRef", "apiVersion") + " " + lookup(o, "spec", "compositeTypeRef", "kind")
			composed[gvk] = true
			steps, _ := walk(o, []string{"spec", "pipeline"}).([]any)
			if len(steps) == 0 {
				problems = append(problems, fmt.Sprintf("%s has no pipeline steps", id))
			}
			for _, s := range steps {
				sm, _ := s.(map[string]any)
				if got := lookup(sm, "functionRef", "name"); got != fn {
					problems = append(problems, fmt.Sprintf("%s step %q calls function %q, want %q, the name in %s", id, lookup(sm, "step"), got, fn, functionsFile))
				}
			}
		default:
			problems = append(problems, fmt.Sprintf("%s: a Configuration package carries XRDs and Compositions only, not a %s", id, kind))
		}
	}
	for _, gvk := range sortedKeys(composed) {
		if !served[gvk] {
			problems = append(problems, fmt.Sprintf("a Composition is for %s, which no XRD in the package serves", gvk))
		}
	}
	for _, gvk := range sortedKeys(referable) {
		if !composed[gvk] {
			problems = append(problems, fmt.Sprintf("no Composition in the package is for %s: its XRs could not be composed", gvk))
		}
	}
	return problems
}

// functionPackage returns the name of the Function in functionsFile and its
// package's repository, without the tag.
func functionPackage(t *testing.T) (name, repository string) {
	t.Helper()
	docs := readDocs(t, functionsFile)
	if len(docs) != 1 {
		t.Fatalf("%s: want one Function, got %d objects", functionsFile, len(docs))
	}
	pkg := lookup(docs[0], "spec", "package")
	// The tag follows the last colon after the last slash (a registry
	// may have a port).
	if i := strings.LastIndex(pkg, ":"); i > strings.LastIndex(pkg, "/") {
		pkg = pkg[:i]
	}
	return lookup(docs[0], "metadata", "name"), pkg
}

// readDocs returns the YAML documents of path.
func readDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		t.Fatalf("cannot open %s: %v", path, err)
	}
	defer f.Close() //nolint:errcheck // Only read from.
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("cannot parse %s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// objectID is an object's apiVersion, kind and name.
func objectID(o map[string]any) string {
	return lookup(o, "apiVersion") + " " + lookup(o, "kind") + " " + lookup(o, "metadata", "name")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestCatalogProblems(t *testing.T) {
	xrd := func(group, kind string, versions ...map[string]any) map[string]any {
		vs := make([]any, 0, len(versions))
		for _, v := range versions {
			vs = append(vs, v)
		}
		return map[string]any{
			"apiVersion": "apiextensions.crossplane.io/v2", "kind": "CompositeResourceDefinition",
			"metadata": map[string]any{"name": "xrd"},
			"spec":     map[string]any{"group": group, "names": map[string]any{"kind": kind}, "versions": vs},
		}
	}
	version := func(name string, referenceable bool) map[string]any {
		return map[string]any{"name": name, "served": true, "referenceable": referenceable}
	}
	composition := func(apiVersion, kind string, fns ...string) map[string]any {
		steps := make([]any, 0, len(fns))
		for _, fn := range fns {
			steps = append(steps, map[string]any{"step": "compose", "functionRef": map[string]any{"name": fn}})
		}
		return map[string]any{
			"apiVersion": "apiextensions.crossplane.io/v1", "kind": "Composition",
			"metadata": map[string]any{"name": "comp"},
			"spec": map[string]any{
				"compositeTypeRef": map[string]any{"apiVersion": apiVersion, "kind": kind},
				"mode":             "Pipeline", "pipeline": steps,
			},
		}
	}
	served := xrd("serving.kserve.io", "LLMInferenceService", version("v1alpha2", true), version("v1alpha1", false))
	const fn = "function-llm-inference-service"

	cases := map[string]struct {
		reason string
		objs   []map[string]any
		want   []string
	}{
		"Catalog": {
			reason: "An XRD with a Composition for its referenceable version, calling the function, is a catalog.",
			objs:   []map[string]any{served, composition("serving.kserve.io/v1alpha2", "LLMInferenceService", fn)},
		},
		"CRD": {
			reason: "A Configuration cannot carry a plain CRD: the package manager's linter refuses it.",
			objs: []map[string]any{served, composition("serving.kserve.io/v1alpha2", "LLMInferenceService", fn), {
				"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
				"metadata": map[string]any{"name": "llminferenceserviceconfigs.serving.kserve.io"},
			}},
			want: []string{"apiextensions.k8s.io/v1 CustomResourceDefinition llminferenceserviceconfigs.serving.kserve.io: a Configuration package carries XRDs and Compositions only, not a CustomResourceDefinition"},
		},
		"XRDWithoutComposition": {
			reason: "An XRD whose referenceable version has no Composition in the package leaves its XRs uncomposed.",
			objs:   []map[string]any{served},
			want:   []string{"no Composition in the package is for serving.kserve.io/v1alpha2 LLMInferenceService: its XRs could not be composed"},
		},
		"CompositionAtAnotherVersion": {
			reason: "Crossplane composes XRs at the referenceable version only: a Composition for v1alpha1 does not count.",
			objs:   []map[string]any{served, composition("serving.kserve.io/v1alpha1", "LLMInferenceService", fn)},
			want:   []string{"no Composition in the package is for serving.kserve.io/v1alpha2 LLMInferenceService: its XRs could not be composed"},
		},
		"CompositionForAnotherKind": {
			reason: "A Composition for a kind no XRD of the package serves depends on another package.",
			objs: []map[string]any{
				served, composition("serving.kserve.io/v1alpha2", "LLMInferenceService", fn),
				composition("serving.example.org/v1alpha2", "XLLMInferenceService", fn),
			},
			want: []string{"a Composition is for serving.example.org/v1alpha2 XLLMInferenceService, which no XRD in the package serves"},
		},
		"AnotherFunction": {
			reason: "A step calling a function under another name fails on every XR.",
			objs:   []map[string]any{served, composition("serving.kserve.io/v1alpha2", "LLMInferenceService", "crossplane-contrib-"+fn)},
			want:   []string{`apiextensions.crossplane.io/v1 Composition comp step "compose" calls function "crossplane-contrib-function-llm-inference-service", want "function-llm-inference-service", the name in ../../example/functions.yaml`},
		},
		"NoSteps": {
			reason: "A Composition without steps composes nothing.",
			objs:   []map[string]any{served, composition("serving.kserve.io/v1alpha2", "LLMInferenceService")},
			want:   []string{"apiextensions.crossplane.io/v1 Composition comp has no pipeline steps"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := catalogProblems(tc.objs, fn)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ncatalogProblems(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
