package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// TestRunFunctionEitherVersionComposesAlike writes every example in the
// other API version, reshaped as KServe's conversion between v1alpha1 and
// v1alpha2 reshapes it: the criticality fields become the annotations
// v1alpha2 keeps them in and back, and the pool spec changes between the
// inference.networking.x-k8s.io/v1alpha2 shape (flat selector,
// targetPortNumber, extensionRef) and the v1 one (selector.matchLabels,
// targetPorts, endpointPickerRef). The same service written either way must
// get the same response, byte for byte: the same composed objects, status,
// results and requirements, both on the first call and once the example's
// observed and required resources exist.
func TestRunFunctionEitherVersionComposesAlike(t *testing.T) {
	f := &Function{log: logging.NewNopLogger()}
	marshal := proto.MarshalOptions{Deterministic: true}
	// reshaped counts the examples whose other version differs in more
	// than its apiVersion, so that the test cannot pass by comparing
	// manifests that only the apiVersion tells apart.
	reshaped := 0
	for _, ex := range loadExamples(t) {
		other := ex
		var changed bool
		other.xr, changed = otherVersion(t, ex.xr)
		if changed {
			reshaped++
		}
		t.Run(ex.name, func(t *testing.T) {
			for _, settled := range []bool{false, true} {
				if settled && ex.observed == nil && ex.required == nil {
					continue
				}
				var got [2][]byte
				for i, e := range []example{ex, other} {
					rsp, err := f.RunFunction(context.Background(), e.request(t, settled))
					if err != nil {
						t.Fatal(err)
					}
					// The one difference by design: peers are read at
					// the XR's own version, whose schema is the same.
					if p := rsp.GetRequirements().GetResources()[requirementPeers]; p != nil {
						p.ApiVersion = "serving.kserve.io/any"
					}
					if got[i], err = marshal.Marshal(rsp); err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(got[0], got[1]) {
					t.Errorf("settled=%t: %s and its %s twin get different responses:\n%s", settled,
						ex.xr["apiVersion"], other.xr["apiVersion"], responseDiff(t, got[0], got[1]))
				}
			}
		})
	}
	if reshaped < 3 {
		t.Errorf("only %d examples have a criticality or pool spec to reshape between the versions; the test compares too little", reshaped)
	}
}

// responseDiff is a readable diff of two marshalled responses.
func responseDiff(t *testing.T, a, b []byte) string {
	t.Helper()
	var out [2]string
	for i, raw := range [][]byte{a, b} {
		rsp := &fnv1.RunFunctionResponse{}
		if err := proto.Unmarshal(raw, rsp); err != nil {
			t.Fatal(err)
		}
		j, err := protojson.MarshalOptions{Multiline: true}.Marshal(rsp)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = string(j)
	}
	return cmp.Diff(out[0], out[1])
}

// otherVersion is xr written in the other API version, and whether it
// differs in more than its apiVersion.
func otherVersion(t *testing.T, xr map[string]any) (map[string]any, bool) {
	t.Helper()
	u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(xr)}
	api := u.GetAPIVersion()
	switch {
	case strings.HasSuffix(api, "/v1alpha2"):
		u.SetAPIVersion(strings.TrimSuffix(api, "v1alpha2") + "v1alpha1")
		toV1alpha1(t, u)
	case strings.HasSuffix(api, "/v1alpha1"):
		u.SetAPIVersion(strings.TrimSuffix(api, "v1alpha1") + "v1alpha2")
		toV1alpha2(t, u)
	default:
		t.Fatalf("an example XR of apiVersion %s, neither v1alpha1 nor v1alpha2", api)
	}
	before := runtime.DeepCopyJSON(xr)
	unstructured.RemoveNestedField(before, "apiVersion")
	after := runtime.DeepCopyJSON(u.Object)
	unstructured.RemoveNestedField(after, "apiVersion")
	return u.Object, !cmp.Equal(before, after)
}

// The paths the versions differ at.
var (
	modelPath    = []string{"spec", "model"}
	adaptersPath = []string{"spec", "model", "lora", "adapters"}
	poolSpecPath = []string{"spec", "router", "scheduler", "pool", "spec"}
)

// toV1alpha1 moves the annotations' criticalities into the fields and the
// pool spec into the v1alpha2 (x-k8s.io) shape.
func toV1alpha1(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	ann := u.GetAnnotations()
	if c, ok := ann[spec.AnnotationModelCriticality]; ok {
		mustSet(t, u.Object, c, append(modelPath, "criticality")...)
		delete(ann, spec.AnnotationModelCriticality)
	}
	if v, ok := ann[spec.AnnotationLoRACriticalities]; ok {
		var byIndex map[string]string
		if err := json.Unmarshal([]byte(v), &byIndex); err != nil {
			t.Fatal(err)
		}
		adapters, _, _ := unstructured.NestedSlice(u.Object, adaptersPath...)
		for k, c := range byIndex {
			i, err := strconv.Atoi(k)
			if err != nil {
				t.Fatal(err)
			}
			adapters[i].(map[string]any)["criticality"] = c
		}
		mustSet(t, u.Object, adapters, adaptersPath...)
		delete(ann, spec.AnnotationLoRACriticalities)
	}
	setAnnotations(u, ann)

	pool, ok, _ := unstructured.NestedMap(u.Object, poolSpecPath...)
	if !ok {
		return
	}
	if sel, ok := pool["selector"].(map[string]any); ok {
		if ml, ok := sel["matchLabels"]; ok {
			pool["selector"] = ml
		}
	}
	if ports, ok := pool["targetPorts"].([]any); ok && len(ports) == 1 {
		pool["targetPortNumber"] = ports[0].(map[string]any)["number"]
		delete(pool, "targetPorts")
	}
	if ref, ok := pool["endpointPickerRef"].(map[string]any); ok {
		if port, ok := ref["port"].(map[string]any); ok {
			ref["portNumber"] = port["number"]
			delete(ref, "port")
		}
		pool["extensionRef"] = ref
		delete(pool, "endpointPickerRef")
	}
	mustSet(t, u.Object, pool, poolSpecPath...)
}

// toV1alpha2 moves the criticality fields into the annotations and the
// pool spec into the v1 shape. An extensionRef without a port gets the
// picker's, 9002, as KServe's conversion gives it: v1 requires the port of
// a Service.
func toV1alpha2(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	if c, ok, _ := unstructured.NestedString(u.Object, append(modelPath, "criticality")...); ok {
		ann[spec.AnnotationModelCriticality] = c
		unstructured.RemoveNestedField(u.Object, append(modelPath, "criticality")...)
	}
	if adapters, ok, _ := unstructured.NestedSlice(u.Object, adaptersPath...); ok {
		byIndex := map[string]string{}
		for i, a := range adapters {
			m := a.(map[string]any)
			if c, ok := m["criticality"].(string); ok {
				byIndex[strconv.Itoa(i)] = c
				delete(m, "criticality")
			}
		}
		if len(byIndex) > 0 {
			b, err := json.Marshal(byIndex)
			if err != nil {
				t.Fatal(err)
			}
			ann[spec.AnnotationLoRACriticalities] = string(b)
			mustSet(t, u.Object, adapters, adaptersPath...)
		}
	}
	setAnnotations(u, ann)

	pool, ok, _ := unstructured.NestedMap(u.Object, poolSpecPath...)
	if !ok {
		return
	}
	if sel, ok := pool["selector"].(map[string]any); ok {
		pool["selector"] = map[string]any{"matchLabels": sel}
	}
	if n, ok := pool["targetPortNumber"]; ok {
		pool["targetPorts"] = []any{map[string]any{"number": n}}
		delete(pool, "targetPortNumber")
	}
	if ref, ok := pool["extensionRef"].(map[string]any); ok {
		n, ok := ref["portNumber"]
		if !ok {
			n = int64(9002)
		}
		ref["port"] = map[string]any{"number": n}
		delete(ref, "portNumber")
		pool["endpointPickerRef"] = ref
		delete(pool, "extensionRef")
	}
	mustSet(t, u.Object, pool, poolSpecPath...)
}

func setAnnotations(u *unstructured.Unstructured, ann map[string]string) {
	if len(ann) == 0 {
		unstructured.RemoveNestedField(u.Object, "metadata", "annotations")
		return
	}
	u.SetAnnotations(ann)
}

func mustSet(t *testing.T, obj map[string]any, v any, path ...string) {
	t.Helper()
	if err := unstructured.SetNestedField(obj, runtime.DeepCopyJSONValue(v), path...); err != nil {
		t.Fatal(err)
	}
}
