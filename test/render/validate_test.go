package render

import (
	"os"
	"path/filepath"
	"sync"
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

// validateXRStatus checks the status the function wrote on the XR (the
// render's first document) as the API server checks Crossplane's write of
// it, against the example XRDs: a field the XRD's status schema lacks, or a
// value it refuses, would make that write fail in a cluster. The spec is
// the example's, which crossplane render leaves out.
func validateXRStatus(t *testing.T, stream, xrFile string) {
	t.Helper()
	v := xrdValidator(t)
	docs := documents(t, stream)
	if len(docs) == 0 {
		t.Fatal("render produced no XR")
	}
	xr := docs[0]
	in := documents(t, readFile(t, xrFile))
	if len(in) != 1 {
		t.Fatalf("%s: want one XR, got %d documents", xrFile, len(in))
	}
	xr["spec"] = in[0]["spec"]
	if err := v.ValidateStatus(xr); err != nil {
		t.Errorf("the XR's status would be refused: %v", err)
	}
}

var (
	xrdValidatorOnce sync.Once
	xrdValidatorV    *validate.Validator
	errXRDValidator  error
)

// xrdValidator knows the kinds of both example XRDs, built once: compiling
// their schemas takes a while.
func xrdValidator(t *testing.T) *validate.Validator {
	t.Helper()
	xrdValidatorOnce.Do(func() {
		var data []byte
		for _, f := range []string{"xrd.yaml", filepath.Join("legacy", "xrd.yaml")} {
			b, err := os.ReadFile(filepath.Join(env.root, "example", f)) //nolint:gosec // The example XRDs.
			if err != nil {
				errXRDValidator = err
				return
			}
			crds, err := validate.CRDsForXRD(b)
			if err != nil {
				errXRDValidator = err
				return
			}
			m, err := validate.MarshalCRDs(crds...)
			if err != nil {
				errXRDValidator = err
				return
			}
			data = append(data, m...)
		}
		xrdValidatorV, errXRDValidator = validate.NewValidator(validate.WithCRDSources(), validate.WithCRD(data))
	})
	if errXRDValidator != nil {
		t.Fatalf("cannot build a validator for the example XRDs: %v", errXRDValidator)
	}
	return xrdValidatorV
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path) //nolint:gosec // An example's file.
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
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
