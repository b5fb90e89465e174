package main

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"

	gkenetworkingv1 "github.com/GoogleCloudPlatform/gke-gateway-api/apis/networking/v1"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	egv1a1 "github.com/envoyproxy/gateway/api/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	istionetworkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	istiosecurityv1 "istio.io/client-go/pkg/apis/security/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	sigsjson "sigs.k8s.io/json"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	llmdv1alpha2 "github.com/crossplane-contrib/function-llm-inference-service/internal/apis/llmd/v1alpha2"
)

// FuzzRunFunction feeds RunFunction mutated XRs, Function inputs, observed
// composed resources and required (referenced) resources, seeded with every
// example and a few invalid specs. Most byte mutations of JSON are not JSON,
// so the fuzzer also splices a value of its choosing (value, as JSON or else
// as a string) over one node of the XR (node number at): that keeps the XR
// valid JSON and reaches every field of the spec.
//
// Crossplane calls the function with whatever a user wrote and whatever the
// cluster holds, so for any input:
//
//   - RunFunction never panics and never returns an error. The function
//     recovers panics into a Fatal result; one of those is a failure here,
//     or the fuzzer could never find a panic;
//   - it either gives a Fatal result with a message and composes nothing,
//     or every composed resource it desires decodes strictly
//     (no unknown or duplicate field) into the Go type of its kind, as the
//     API server would decode it;
//   - the response marshals, as gRPC must.
//
// Run it with `make fuzz`; new crashers land in testdata/fuzz/FuzzRunFunction
// and are replayed by every `go test` from then on.
func FuzzRunFunction(f *testing.F) {
	for _, ex := range loadExamples(f) {
		input := mustJSON(f, ex.input)
		f.Add(mustJSON(f, ex.xr), input, []byte(nil), []byte(nil), uint(0), []byte(nil))
		if ex.observed != nil || ex.required != nil {
			req := ex.request(f, true)
			f.Add(mustJSON(f, ex.xr), input, mustJSON(f, ex.observed), mustJSON(f, requiredOf(req)), uint(0), []byte(nil))
		}
	}
	// Invalid specs reach the refusal paths: the fuzzer mutates them too.
	for _, spec := range []string{
		`{"model": {"uri": "gs://b/m"}}`,
		`{"model": {"uri": "hf://o/m"}, "parallelism": {"tensor": 2}, "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}`,
		`{"model": {"uri": "hf://o/m"}, "parallelism": {"data": 4, "dataLocal": 0}, "worker": {}}`,
		`{"model": {"uri": "pvc://c/p", "lora": {"adapters": [{"name": "a", "uri": "oci://r/i"}]}}, "router": {"route": {}}}`,
		`{"model": {"uri": "hf://o/m"}, "template": {"containers": [{"name": "main", "env": [{"name": "HF_TOKEN", "value": "x"}]}]}}`,
		`{"model": {"uri": "hf://o/m"}, "router": {"scheduler": {"config": {"inline": [1]}, "pool": {"spec": {"targetPortNumber": 0}}}}}`,
		`{"model": {"uri": "hf://o/m"}, "prefill": {"worker": {}, "parallelism": {"pipeline": 1}}}`,
	} {
		f.Add([]byte(`{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}, "spec": `+spec+`}`), []byte(nil), []byte(nil), []byte(nil), uint(0), []byte(nil))
	}

	fn := &Function{log: logging.NewNopLogger()}
	f.Fuzz(func(t *testing.T, xr, input, observed, required []byte, at uint, value []byte) {
		req, ok := fuzzRequest(xr, input, observed, required, at, value)
		if !ok {
			// Not something Crossplane could send: its XRs, inputs
			// and resources are always JSON objects.
			return
		}
		rsp, err := fn.RunFunction(context.Background(), req)
		if err != nil {
			t.Fatalf("RunFunction returned an error, want a result: %v", err)
		}
		if _, err := proto.Marshal(rsp); err != nil {
			t.Fatalf("the response does not marshal: %v", err)
		}
		fatal := false
		for _, r := range rsp.GetResults() {
			if strings.Contains(r.GetMessage(), errPanic) {
				t.Fatalf("RunFunction panicked: %s", r.GetMessage())
			}
			if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
				fatal = true
				if strings.TrimSpace(r.GetMessage()) == "" {
					t.Fatalf("a Fatal result without a message")
				}
			}
		}
		if fatal {
			// A refusal composes nothing: half a desired state
			// must never be passed on.
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Fatalf("a Fatal response desires %d resources, want none", n)
			}
			return
		}
		for name, r := range rsp.GetDesired().GetResources() {
			if err := decodeComposed(r.GetResource()); err != nil {
				t.Errorf("desired resource %q: %v", name, err)
			}
		}
	})
}

// fuzzRequest builds a request from the fuzzer's bytes, or false when they
// are not JSON objects of the right shapes: observed is a map of
// composition resource names to objects, required a map of requirement
// names to lists of objects, as Crossplane resolved them. A non-empty value
// is spliced over node at of the XR.
func fuzzRequest(xr, input, observed, required []byte, at uint, value []byte) (*fnv1.RunFunctionRequest, bool) {
	var x, in map[string]any
	var obs map[string]map[string]any
	var rq map[string][]map[string]any
	if json.Unmarshal(xr, &x) != nil || x == nil {
		return nil, false
	}
	if len(value) > 0 {
		var v any
		if json.Unmarshal(value, &v) != nil {
			v = string(value)
		}
		splice(x, at, v)
	}
	if len(input) > 0 && json.Unmarshal(input, &in) != nil {
		return nil, false
	}
	if len(observed) > 0 && json.Unmarshal(observed, &obs) != nil {
		return nil, false
	}
	if len(required) > 0 && json.Unmarshal(required, &rq) != nil {
		return nil, false
	}
	req, err := requestFrom(x, in, obs)
	if err != nil {
		return nil, false
	}
	for name, objs := range rq {
		if req.RequiredResources == nil {
			req.RequiredResources = map[string]*fnv1.Resources{}
		}
		rs := &fnv1.Resources{}
		for _, o := range objs {
			s, err := structpb.NewStruct(o)
			if err != nil {
				return nil, false
			}
			rs.Items = append(rs.Items, &fnv1.Resource{Resource: s})
		}
		req.RequiredResources[name] = rs
	}
	return req, true
}

// splice replaces node n (modulo their number) of doc with v. Nodes are
// every value under doc, depth first with keys in sorted order, so the same
// n always names the same node of the same document.
func splice(doc map[string]any, n uint, v any) {
	var set []func(any)
	var walk func(node any)
	walk = func(node any) {
		switch t := node.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				set = append(set, func(v any) { t[k] = v })
				walk(t[k])
			}
		case []any:
			for i := range t {
				set = append(set, func(v any) { t[i] = v })
				walk(t[i])
			}
		}
	}
	walk(doc)
	if len(set) > 0 {
		set[n%uint(len(set))](v)
	}
}

// composedScheme knows the Go type of every kind the function composes.
var composedScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme,
		lwsv1.AddToScheme,
		gatewayv1.Install,
		giev1.Install,
		istionetworkingv1.AddToScheme,
		gkenetworkingv1.Install,
		monitoringv1.AddToScheme,
		kedav1alpha1.AddToScheme,
		// Route authentication.
		istiosecurityv1.AddToScheme,
		egv1a1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	// The llm-d API is defined in this repository and has no scheme
	// builder of its own.
	s.AddKnownTypes(llmdv1alpha2.GroupVersion, &llmdv1alpha2.InferenceObjective{})
	return s
}()

// decodeComposed decodes a desired resource into the Go type of its kind,
// refusing unknown and duplicate fields: the API server would prune or
// refuse them, so the function would not get what it meant to apply.
func decodeComposed(o *structpb.Struct) error {
	b, err := o.MarshalJSON()
	if err != nil {
		return err
	}
	var tm struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(b, &tm); err != nil {
		return err
	}
	gv, err := schema.ParseGroupVersion(tm.APIVersion)
	if err != nil {
		return err
	}
	typed, err := composedScheme.New(gv.WithKind(tm.Kind))
	if err != nil {
		return err
	}
	strict, err := sigsjson.UnmarshalStrict(b, typed)
	if err != nil {
		return err
	}
	return errors.Join(strict...)
}

// requiredOf is a request's required resources in the fuzzer's shape.
func requiredOf(req *fnv1.RunFunctionRequest) map[string][]map[string]any {
	if len(req.GetRequiredResources()) == 0 {
		return nil
	}
	out := map[string][]map[string]any{}
	for name, rs := range req.GetRequiredResources() {
		objs := []map[string]any{}
		for _, r := range rs.GetItems() {
			objs = append(objs, r.GetResource().AsMap())
		}
		out[name] = objs
	}
	return out
}

// mustJSON marshals v; nil (of any type) gives no bytes.
func mustJSON[T any](t testing.TB, v map[string]T) []byte {
	t.Helper()
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
