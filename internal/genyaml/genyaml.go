// Package genyaml writes the generated CRDs and XRDs: one place for how a
// typed object becomes a committed YAML file, shared by cmd/xrd-gen and
// cmd/config-crd-gen.
package genyaml

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"
)

// Write marshals o as YAML, after header, without the empty status and
// null creationTimestamp a typed object carries. It refuses an object of
// more than maxBytes as JSON, which etcd would not store.
func Write(path string, o any, header string, maxBytes int) error {
	j, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("cannot marshal %s: %w", path, err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return fmt.Errorf("cannot unmarshal %s: %w", path, err)
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	if len(j) > maxBytes {
		return fmt.Errorf("%s is %d bytes as JSON, more than the %d this project allows for etcd", path, len(j), maxBytes)
	}
	y, err := yaml.Marshal(m)
	if err != nil {
		return fmt.Errorf("cannot marshal %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", filepath.Dir(path), err)
	}
	return os.WriteFile(path, append([]byte(header), y...), 0o644) //nolint:gosec // generated files are committed, world-readable.
}
