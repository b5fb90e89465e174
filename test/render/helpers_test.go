package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
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

// resourceNameAnnotation names a composed object in the function's desired
// state.
const resourceNameAnnotation = "crossplane.io/composition-resource-name"

// goldenDir holds the goldens of the examples, one directory per case.
var goldenDir = filepath.Join("testdata", "golden")

// The files of a golden besides one per composed object.
const (
	goldenXR      = "xr.yaml"
	goldenResults = "results.yaml"
	goldenFatal   = "fatal.txt"
)

// A golden is a render as files by name: the XR with its status in
// xr.yaml, each composed object in <its composition resource name>.yaml,
// the function's results in results.yaml; a render the function refused
// is only its message, in fatal.txt. Each file holds documents exactly as
// crossplane render printed them, separator included, so a change to one
// composed object shows as a change to its file alone.
type golden map[string]string

// resourceFile is what a composition resource name may be to name a file.
var resourceFile = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)

// splitRender splits what crossplane render printed into the files of a
// golden. It cuts the text at the document separators and never
// re-encodes a document.
func splitRender(stream string) (golden, error) {
	var docs []string
	for _, line := range strings.SplitAfter(stream, "\n") {
		switch {
		case line == "---\n" || line == "---":
			docs = append(docs, line)
		case len(docs) == 0:
			if strings.TrimSpace(line) != "" {
				return nil, fmt.Errorf("output before the first document: %q", line)
			}
		default:
			docs[len(docs)-1] += line
		}
	}
	if len(docs) == 0 {
		return nil, errors.New("crossplane render printed no documents")
	}
	g := golden{goldenXR: docs[0]}
	for _, doc := range docs[1:] {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Metadata   struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return nil, fmt.Errorf("cannot decode a document: %w\n%s", err, doc)
		}
		if strings.HasPrefix(head.APIVersion, "render.crossplane.io/") {
			g[goldenResults] += doc
			continue
		}
		name := head.Metadata.Annotations[resourceNameAnnotation]
		if !resourceFile.MatchString(name) || name+".yaml" == goldenXR || name+".yaml" == goldenResults {
			return nil, fmt.Errorf("a composed object's %s annotation %q cannot name its golden file:\n%s", resourceNameAnnotation, name, doc)
		}
		f := name + ".yaml"
		if _, dup := g[f]; dup {
			return nil, fmt.Errorf("two composed objects are composition resource %q", name)
		}
		g[f] = doc
	}
	return g, nil
}

// fatalMessage is the message of the Fatal result a refused render's error
// output reports, or false when the render failed for another reason.
func fatalMessage(stderr string) (string, bool) {
	_, msg, ok := strings.Cut(stderr, "returned a fatal result: ")
	if !ok {
		return "", false
	}
	return strings.TrimSpace(msg) + "\n", true
}

// readGolden reads the files of the golden in dir; subdirectories are other
// cases (a nested example's).
func readGolden(dir string) (golden, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	g := golden{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // the goldens.
		if err != nil {
			return nil, err
		}
		g[e.Name()] = string(b)
	}
	return g, nil
}

// writeGolden makes dir hold exactly the files of g.
func writeGolden(dir string, g golden) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	old, err := readGolden(dir)
	if err != nil {
		return err
	}
	for f := range old {
		if _, ok := g[f]; !ok {
			if err := os.Remove(filepath.Join(dir, f)); err != nil {
				return err
			}
		}
	}
	for _, f := range sortedKeys(g) {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(g[f]), 0o644); err != nil { //nolint:gosec // golden files are not secret.
			return err
		}
	}
	return nil
}

// description is the comment at the top of a file, the example's own
// account of what it shows.
func description(path string) string {
	b, err := os.ReadFile(path) //nolint:gosec // the examples.
	if err != nil {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		c, ok := strings.CutPrefix(l, "#")
		if !ok {
			break
		}
		lines = append(lines, strings.TrimSpace(c))
	}
	return strings.Join(lines, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
