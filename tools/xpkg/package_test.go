package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"gopkg.in/yaml.v3"
)

const (
	// envPackage names the .xpkg file TestPackage opens. `make xpkg-check`
	// sets it; without it the test skips, so `go test ./...` stays hermetic.
	envPackage = "XPKG_FILE"

	// envBinary optionally names the function binary the package must embed
	// byte for byte.
	envBinary = "FUNCTION_BINARY"

	// These mirror Crossplane's internal/xpkg: the package manager finds the
	// package.yaml layer through a config label "io.crossplane.xpkg:<layer
	// digest>" whose value is "base".
	xpkgLabelPrefix = "io.crossplane.xpkg:"
	xpkgBaseLayer   = "base"
	xpkgStreamFile  = "package.yaml"
)

// TestPackage opens the package `make xpkg` built and checks it is one
// Crossplane can install and run: a Function package.yaml in the layer the
// package manager reads, and the runtime binary at /function.
func TestPackage(t *testing.T) {
	path := os.Getenv(envPackage)
	if path == "" {
		t.Skipf("%s is not set; run `make xpkg-check`", envPackage)
	}

	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		t.Fatalf("cannot open package %s: %v", path, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("cannot read package config: %v", err)
	}

	t.Run("Metadata", func(t *testing.T) {
		docs := packageDocs(t, img, cfg)
		if len(docs) == 0 {
			t.Fatal("package.yaml holds no objects")
		}

		// xpkg build writes the meta object first.
		meta := docs[0]
		checks := map[string]struct{ got, want string }{
			"apiVersion":    {got: lookup(meta, "apiVersion"), want: "meta.pkg.crossplane.io/v1"},
			"kind":          {got: lookup(meta, "kind"), want: "Function"},
			"metadata.name": {got: lookup(meta, "metadata", "name"), want: "function-llm-inference-service"},
		}
		for field, c := range checks {
			if c.got != c.want {
				t.Errorf("package.yaml meta %s = %q, want %q", field, c.got, c.want)
			}
		}
		if caps := lookupList(meta, "spec", "capabilities"); !slices.Contains(caps, "composition") {
			t.Errorf("package.yaml spec.capabilities = %q, want it to contain composition", caps)
		}

		// Every other object must be a CRD: the input CRD, if generated yet.
		for _, d := range docs[1:] {
			if kind := lookup(d, "kind"); kind != "CustomResourceDefinition" {
				t.Errorf("package.yaml holds a %s, want only CustomResourceDefinitions after the meta object", kind)
				continue
			}
			t.Logf("package embeds CRD %s", lookup(d, "metadata", "name"))
		}
	})

	t.Run("Runtime", func(t *testing.T) {
		assertRuntimeConfig(t, cfg, "amd64")

		hdr, content := readFunction(t, mutate.Extract(img))
		if hdr.Mode&0o111 == 0 {
			t.Errorf("/function mode = %o, want it executable", hdr.Mode)
		}
		if err := checkBinary(content, "amd64"); err != nil {
			t.Errorf("/function: %v", err)
		}
		t.Logf("package embeds /function, %d bytes", len(content))

		binPath := os.Getenv(envBinary)
		if binPath == "" {
			return
		}
		want, err := os.ReadFile(binPath) //nolint:gosec // The path comes from the Makefile.
		if err != nil {
			t.Fatalf("cannot read %s: %v", binPath, err)
		}
		if !bytes.Equal(content, want) {
			t.Errorf("/function differs from %s: the package embeds a stale binary", binPath)
		}
	})
}

// packageDocs returns the YAML documents of package.yaml, read from the layer
// labelled as the package's base layer, the way Crossplane finds it.
func packageDocs(t *testing.T, img v1.Image, cfg *v1.ConfigFile) []map[string]any {
	t.Helper()

	var digest string
	for k, v := range cfg.Config.Labels {
		if strings.HasPrefix(k, xpkgLabelPrefix) && v == xpkgBaseLayer {
			digest = strings.TrimPrefix(k, xpkgLabelPrefix)
		}
	}
	if digest == "" {
		t.Fatalf("package config has no %s<digest>=%s label: Crossplane could not find package.yaml", xpkgLabelPrefix, xpkgBaseLayer)
	}
	h, err := v1.NewHash(digest)
	if err != nil {
		t.Fatalf("cannot parse layer digest %q: %v", digest, err)
	}
	layer, err := img.LayerByDigest(h)
	if err != nil {
		t.Fatalf("cannot find package layer %s: %v", h, err)
	}
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatalf("cannot read package layer: %v", err)
	}
	defer rc.Close() //nolint:errcheck // Only read from.

	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("package layer has no %s", xpkgStreamFile)
		}
		if err != nil {
			t.Fatalf("cannot read package layer: %v", err)
		}
		if hdr.Name != xpkgStreamFile {
			continue
		}

		var docs []map[string]any
		dec := yaml.NewDecoder(tr)
		for {
			var d map[string]any
			err := dec.Decode(&d)
			if errors.Is(err, io.EOF) {
				return docs
			}
			if err != nil {
				t.Fatalf("cannot parse %s: %v", xpkgStreamFile, err)
			}
			if d != nil { // Skip empty documents between "---" separators.
				docs = append(docs, d)
			}
		}
	}
}

// lookup returns the string at path in a decoded YAML object, or "".
func lookup(obj map[string]any, path ...string) string {
	v, _ := walk(obj, path).(string)
	return v
}

// lookupList returns the strings in the list at path, skipping non-strings.
func lookupList(obj map[string]any, path ...string) []string {
	l, _ := walk(obj, path).([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func walk(obj map[string]any, path []string) any {
	var v any = obj
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}
