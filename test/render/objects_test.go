package render

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
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
		if err == io.EOF {
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

// checkNames applies the name rules the API server applies: every composed
// kind takes a DNS-1123 subdomain, Services a DNS-1035 label.
func checkNames(t *testing.T, o map[string]any) {
	t.Helper()
	md, _ := o["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	kind, _ := o["kind"].(string)
	errs := validation.IsDNS1123Subdomain(name)
	if kind == "Service" {
		errs = append(errs, validation.IsDNS1035Label(name)...)
	}
	for _, e := range errs {
		t.Errorf("%s %q: invalid name: %s", kind, name, e)
	}
}
