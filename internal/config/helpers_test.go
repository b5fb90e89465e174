package config

import (
	"encoding/json"
	"testing"
)

// obj decodes a spec fragment written as JSON, as Crossplane delivers one.
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}
