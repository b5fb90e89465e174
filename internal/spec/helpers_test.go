package spec

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// decodeSpec decodes a spec written as JSON for a service m in namespace
// ns, as the function decodes the merged spec.
func decodeSpec(t *testing.T, s string) *Service {
	t.Helper()
	return decodeSpecAnnotated(t, s, nil)
}

// decodeSpecAnnotated is decodeSpec for an XR with these annotations.
func decodeSpecAnnotated(t *testing.T, s string, annotations map[string]string) *Service {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test spec %s: %v", s, err)
	}
	svc, err := Decode(Object{Name: "m", Namespace: "ns", Annotations: annotations}, m, "")
	if err != nil {
		t.Fatalf("Decode(%s): %v", s, err)
	}
	return svc
}

// joined is every error's message, as the Fatal result joins them.
func joined(errs field.ErrorList) string {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}
