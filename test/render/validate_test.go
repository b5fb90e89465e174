package render

import (
	"testing"

	"github.com/crossplane-contrib/function-llm-inference-service/test/validate"
)

// validateAll checks every composed object of a render against the real
// schema of its kind: the Kubernetes v1.34 OpenAPI for built-in kinds, the
// upstream CRDs (with CEL) for the others, and the API server's name and
// metadata rules. A kind without a known schema fails.
func validateAll(t *testing.T, stream string) {
	t.Helper()
	v, err := validate.Default()
	if err != nil {
		t.Fatalf("cannot build the schema validator: %v", err)
	}
	objs := composedObjects(t, stream)
	if len(objs) == 0 {
		t.Fatal("render produced no composed objects")
	}
	for _, o := range objs {
		fillOwnerUIDs(o)
		if err := v.Validate(o); err != nil {
			t.Error(err)
		}
	}
}

// fillOwnerUIDs sets the uid crossplane render leaves empty (the example XRs
// have none); in a cluster Crossplane sets the XR's uid, and the API server
// rejects an empty one.
func fillOwnerUIDs(o map[string]any) {
	md, _ := o["metadata"].(map[string]any)
	refs, _ := md["ownerReferences"].([]any)
	for _, r := range refs {
		if m, ok := r.(map[string]any); ok && m["uid"] == "" {
			m["uid"] = "00000000-0000-0000-0000-000000000001"
		}
	}
}
