package render

import (
	"encoding/json"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	sigsjson "sigs.k8s.io/json"
)

// typed are the Go types of the built-in kinds the function composes. The
// API server's built-in schemas are generated from these types, so a strict
// decode (no unknown field, no wrong type, no duplicate key) is a check
// against the real schema of each kind.
var typed = map[string]func() any{
	"apps/v1/Deployment": func() any { return &appsv1.Deployment{} },
	"v1/Service":         func() any { return &corev1.Service{} },
}

// validateAll checks every composed object of a render: a known kind, a
// strict decode into its type, and valid names. An object of a kind this
// test does not know fails: nothing passes unchecked.
func validateAll(t *testing.T, stream string) {
	t.Helper()
	objs := composedObjects(t, stream)
	if len(objs) == 0 {
		t.Fatal("render produced no composed objects")
	}
	for _, o := range objs {
		av, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		newObj, ok := typed[av+"/"+kind]
		if !ok {
			t.Errorf("%s %s: no schema known to validate it against", av, kind)
			continue
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		strict, err := sigsjson.UnmarshalStrict(b, newObj())
		if err != nil {
			t.Errorf("%s %s: does not decode: %v", av, kind, err)
		}
		for _, e := range strict {
			t.Errorf("%s %s: %v", av, kind, e)
		}
		checkNames(t, o)
	}
}
