package render

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// documents splits a YAML stream into objects.
func documents(t *testing.T, stream string) []map[string]any {
	t.Helper()
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	var out []map[string]any
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("cannot read YAML stream: %v", err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			t.Fatalf("cannot decode document: %v", err)
		}
		if m != nil {
			out = append(out, m)
		}
	}
}

// composedObjects are the documents of a render that Crossplane would apply:
// not the XR (the first document) and not function results.
func composedObjects(t *testing.T, stream string) []map[string]any {
	t.Helper()
	docs := documents(t, stream)
	var out []map[string]any
	for i, d := range docs {
		if i == 0 || d["apiVersion"] == "render.crossplane.io/v1beta1" {
			continue
		}
		out = append(out, d)
	}
	return out
}
