package main

// Test helpers shared by the root package's tests: XRs, inputs and
// observed resources written as JSON, the requests Crossplane would send
// for them and for the examples, and a summary of a response to assert on.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"google.golang.org/protobuf/types/known/structpb"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/examples"
)

// example is one example XR with the Function input of its Composition
// and, where the example ships them, the composed resources Crossplane
// observes and the objects it can read for the function.
type example struct {
	name  string
	xr    map[string]any
	input map[string]any
	// observed by composition resource name, from observed.yaml.
	observed map[string]map[string]any
	// required are the objects of required.yaml.
	required []map[string]any
}

// loadExamples reads every example XR, found by the rule of
// internal/examples, with the Function input of its Composition and the
// observed and required resources beside it.
func loadExamples(t testing.TB) []example {
	t.Helper()
	all, err := examples.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	for _, ex := range all {
		input := functionInput(t, ex.Composition)
		var observed map[string]map[string]any
		for _, o := range readYAML(t, ex.Observed) {
			if observed == nil {
				observed = map[string]map[string]any{}
			}
			md, _ := o["metadata"].(map[string]any)
			ann, _ := md["annotations"].(map[string]any)
			name, _ := ann["crossplane.io/composition-resource-name"].(string)
			if name == "" {
				t.Fatalf("%s: an observed resource without a crossplane.io/composition-resource-name annotation", ex.Observed)
			}
			observed[name] = o
		}
		required := readYAML(t, ex.Required)
		for _, doc := range readYAML(t, ex.XR) {
			if !isXR(doc) {
				continue
			}
			out = append(out, example{name: ex.Name, xr: doc, input: input, observed: observed, required: required})
		}
	}
	return out
}

// isXR is true for a document that is a composite resource, not a
// Crossplane or Kubernetes object that may sit next to one.
func isXR(doc map[string]any) bool {
	api, _ := doc["apiVersion"].(string)
	group, _, _ := strings.Cut(api, "/")
	_, hasSpec := doc["spec"].(map[string]any)
	return hasSpec && strings.Contains(api, "/") && !strings.HasSuffix(group, "crossplane.io")
}

// functionInput is the input of the function's step in a Composition, nil
// when it has none.
func functionInput(t testing.TB, composition string) map[string]any {
	t.Helper()
	for _, doc := range readYAML(t, composition) {
		spec, _ := doc["spec"].(map[string]any)
		steps, _ := spec["pipeline"].([]any)
		for _, s := range steps {
			step, _ := s.(map[string]any)
			ref, _ := step["functionRef"].(map[string]any)
			if ref["name"] == "function-llm-inference-service" {
				in, _ := step["input"].(map[string]any)
				return in
			}
		}
	}
	return nil
}

// readYAML reads the objects of a YAML stream; no path ("", an example
// without that file) has none.
func readYAML(t testing.TB, path string) []map[string]any {
	t.Helper()
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path) //nolint:gosec // test fixtures.
	if err != nil {
		t.Fatal(err)
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var out []map[string]any
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if m != nil {
			out = append(out, m)
		}
	}
}

// requestFrom builds a request from decoded objects.
func requestFrom(xr, input map[string]any, observed map[string]map[string]any) (*fnv1.RunFunctionRequest, error) {
	s, err := structpb.NewStruct(xr)
	if err != nil {
		return nil, err
	}
	req := &fnv1.RunFunctionRequest{
		Meta:     &fnv1.RequestMeta{Tag: "t"},
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: s}},
	}
	if input != nil {
		if req.Input, err = structpb.NewStruct(input); err != nil {
			return nil, err
		}
	}
	for name, o := range observed {
		s, err := structpb.NewStruct(o)
		if err != nil {
			return nil, err
		}
		if req.Observed.Resources == nil {
			req.Observed.Resources = map[string]*fnv1.Resource{}
		}
		req.Observed.Resources[name] = &fnv1.Resource{Resource: s}
	}
	return req, nil
}

// request is the example's request. Unsettled, it is Crossplane's first
// call: nothing observed, nothing read. Settled, it is what Crossplane
// sends once the example's observed resources exist and it has read every
// object the function asked for, as far as required.yaml holds them.
func (e example) request(t testing.TB, settled bool) *fnv1.RunFunctionRequest {
	t.Helper()
	var obs map[string]map[string]any
	if settled {
		obs = e.observed
	}
	req, err := requestFrom(e.xr, e.input, obs)
	if err != nil {
		t.Fatalf("%s: %v", e.name, err)
	}
	if settled && e.required != nil {
		resolveRequired(t, req, e.required)
	}
	return req
}

// resolveRequired answers the function's requirements from objs the way
// Crossplane does: call, fetch what was asked for by name, call again until
// the function asks for nothing new. A selector nothing matches resolves
// to no objects.
func resolveRequired(t testing.TB, req *fnv1.RunFunctionRequest, objs []map[string]any) {
	t.Helper()
	fn := &Function{log: logging.NewNopLogger()}
	// Crossplane gives up after a few rounds too.
	for range 5 {
		rsp, err := fn.RunFunction(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		asked := rsp.GetRequirements().GetResources()
		settled := true
		for name := range asked {
			if _, ok := req.GetRequiredResources()[name]; !ok {
				settled = false
			}
		}
		if settled {
			return
		}
		req.RequiredResources = map[string]*fnv1.Resources{}
		for name, sel := range asked {
			rs := &fnv1.Resources{}
			for _, o := range objs {
				if !selects(sel, o) {
					continue
				}
				s, err := structpb.NewStruct(o)
				if err != nil {
					t.Fatal(err)
				}
				rs.Items = append(rs.Items, &fnv1.Resource{Resource: s})
			}
			req.RequiredResources[name] = rs
		}
	}
	t.Fatalf("the function's requirements did not settle within 5 rounds")
}

// selects is true when sel matches o: its kind, its namespace (none for a
// cluster scoped kind) and its name or labels.
func selects(sel *fnv1.ResourceSelector, o map[string]any) bool {
	md, _ := o["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	ns, _ := md["namespace"].(string)
	// The API server serves an object at every version of its kind: the
	// XRs' two versions share one schema.
	group := func(apiVersion string) string { g, _, _ := strings.Cut(apiVersion, "/"); return g }
	apiVersion, _ := o["apiVersion"].(string)
	if group(apiVersion) != group(sel.GetApiVersion()) || o["kind"] != sel.GetKind() || ns != sel.GetNamespace() {
		return false
	}
	if ml := sel.GetMatchLabels(); ml != nil {
		labels, _ := md["labels"].(map[string]any)
		for k, v := range ml.GetLabels() {
			if labels[k] != v {
				return false
			}
		}
		return true
	}
	return name == sel.GetMatchName()
}

const seedXR = `{
  "apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
  "metadata": {"name": "llama-3-8b", "namespace": "default"},
  "spec": {
    "model": {"uri": "hf://meta-llama/Llama-3.1-8B-Instruct", "name": "meta-llama/Llama-3.1-8B-Instruct"},
    "replicas": 3,
    "template": {"containers": [{"name": "main", "image": "vllm/vllm-openai:latest",
      "resources": {"limits": {"nvidia.com/gpu": "1", "cpu": "8", "memory": "32Gi"}}}]},
    "router": {"gateway": {}, "route": {}, "scheduler": {}}
  }
}`

// plainXR is the seed without a router: only the workload is composed.
const plainXR = `{
  "apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
  "metadata": {"name": "llama-3-8b", "namespace": "default"},
  "spec": {
    "model": {"uri": "hf://meta-llama/Llama-3.1-8B-Instruct", "name": "meta-llama/Llama-3.1-8B-Instruct"},
    "replicas": 3,
    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}
  }
}`

// accepted is a Gateway API status parent accepted at generation 1.
func accepted(gateway string) string {
	return `{"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "` + gateway + `"},
	  "controllerName": "example.com/gateway",
	  "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1},
	                 {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs", "observedGeneration": 1}]}`
}

// healthySeed is everything the seed composes, as Crossplane observes it
// once every controller reports it healthy.
func healthySeed() map[string]string {
	exists := func(api, kind, name string) string {
		return `{"apiVersion": "` + api + `", "kind": "` + kind + `", "metadata": {"name": "` + name + `", "namespace": "default"}}`
	}
	return map[string]string{
		"workload-deployment":      availableDeployment(2, 2),
		"workload-service":         exists("v1", "Service", "llama-3-8b-workload"),
		"scheduler-deployment":     strings.ReplaceAll(availableDeployment(1, 1), "llama-3-8b-workload", "llama-3-8b-epp"),
		"scheduler-service":        exists("v1", "Service", "llama-3-8b-epp"),
		"scheduler-serviceaccount": exists("v1", "ServiceAccount", "llama-3-8b-epp"),
		"scheduler-role":           exists("rbac.authorization.k8s.io/v1", "Role", "llama-3-8b-epp"),
		"scheduler-rolebinding":    exists("rbac.authorization.k8s.io/v1", "RoleBinding", "llama-3-8b-epp"),
		"scheduler-config":         exists("v1", "ConfigMap", "llama-3-8b-epp"),
		"workload-networkpolicy":   exists("networking.k8s.io/v1", "NetworkPolicy", "llama-3-8b-workload-netpol"),
		"scheduler-networkpolicy":  exists("networking.k8s.io/v1", "NetworkPolicy", "llama-3-8b-epp-netpol"),
		"scheduler-pool": `{"apiVersion": "inference.networking.k8s.io/v1", "kind": "InferencePool",
		  "metadata": {"name": "llama-3-8b-inference-pool", "namespace": "default", "generation": 1},
		  "status": {"parents": [` + accepted("llama-3-8b-gateway") + `]}}`,
		"gateway": `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		  "metadata": {"name": "llama-3-8b-gateway", "namespace": "default", "generation": 1},
		  "spec": {"gatewayClassName": "istio", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
		  "status": {"addresses": [{"type": "IPAddress", "value": "198.51.100.7"}],
		    "conditions": [{"type": "Programmed", "status": "True", "reason": "Programmed", "observedGeneration": 1}]}}`,
		"route": `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
		  "metadata": {"name": "llama-3-8b-route", "namespace": "default", "generation": 1},
		  "spec": {"parentRefs": [{"name": "llama-3-8b-gateway"}],
		    "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/default/llama-3-8b"}}]}]},
		  "status": {"parents": [` + accepted("llama-3-8b-gateway") + `]}}`,
	}
}

func availableDeployment(generation, observed int) string {
	return `{"apiVersion": "apps/v1", "kind": "Deployment",
	  "metadata": {"name": "llama-3-8b-workload", "namespace": "default", "generation": ` + itoa(generation) + `},
	  "status": {"observedGeneration": ` + itoa(observed) + `, "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"}]}}`
}

func itoa(i int) string { return strconv.Itoa(i) }

// observedNetworkPolicy is the workload's NetworkPolicy of service svc as
// Crossplane observes it: it has no status, so it is ready once it exists.
func observedNetworkPolicy(svc string) string {
	return `{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "` + svc + `-workload-netpol"}}`
}

func newRequest(xr string, observed map[string]string, input string) *fnv1.RunFunctionRequest {
	req := &fnv1.RunFunctionRequest{
		Meta:     &fnv1.RequestMeta{Tag: "t"},
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: resource.MustStructJSON(xr)}},
	}
	if len(observed) > 0 {
		req.Observed.Resources = map[string]*fnv1.Resource{}
		for k, v := range observed {
			req.Observed.Resources[k] = &fnv1.Resource{Resource: resource.MustStructJSON(v)}
		}
	}
	if input != "" {
		req.Input = resource.MustStructJSON(input)
	}
	return req
}

// summary is what a table case asserts on: enough to pin the behaviour
// without restating whole objects (the render goldens do that).
type summary struct {
	Fatal      string
	Warnings   int
	Resources  map[string]fnv1.Ready
	Conditions map[string]string
	URL        string
	Namespace  string
	TTL        time.Duration
	// Requirements are the names of the required resources asked for.
	Requirements []string
	// XRReady is the readiness the function set on the XR itself.
	XRReady fnv1.Ready
}

func summarise(rsp *fnv1.RunFunctionResponse) summary {
	s := summary{Resources: map[string]fnv1.Ready{}, Conditions: map[string]string{}, TTL: rsp.GetMeta().GetTtl().AsDuration()}
	for _, r := range rsp.GetResults() {
		switch r.GetSeverity() {
		case fnv1.Severity_SEVERITY_FATAL:
			s.Fatal = r.GetMessage()
		case fnv1.Severity_SEVERITY_WARNING:
			s.Warnings++
		}
	}
	for n, r := range rsp.GetDesired().GetResources() {
		s.Resources[n] = r.GetReady()
		if ns := r.GetResource().GetFields()["metadata"].GetStructValue().GetFields()["namespace"].GetStringValue(); ns != "" {
			s.Namespace = ns
		}
	}
	for _, c := range rsp.GetConditions() {
		s.Conditions[c.GetType()] = c.GetStatus().String() + "/" + c.GetReason()
	}
	s.URL = rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue().GetFields()["url"].GetStringValue()
	s.XRReady = rsp.GetDesired().GetComposite().GetReady()
	for n := range rsp.GetRequirements().GetResources() {
		s.Requirements = append(s.Requirements, n)
	}
	sort.Strings(s.Requirements)
	if s.Fatal != "" {
		// A fatal result leaves desired state to Crossplane, which applies
		// and deletes nothing; what else the response holds is moot.
		return summary{Fatal: s.Fatal}
	}
	return s
}

// invalidXR is a namespaced XR with spec as its whole spec.
func invalidXR(spec string) string {
	return `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
	  "metadata": {"name": "m", "namespace": "ns"}, "spec": ` + spec + `}`
}

// invalidInput is a Function input with fields as its body.
func invalidInput(fields string) string {
	return `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", ` + fields + `}`
}

// withRequired adds what Crossplane resolved: a name mapped to no objects
// means resolved but not found.
func withRequired(req *fnv1.RunFunctionRequest, required map[string][]string) *fnv1.RunFunctionRequest {
	req.RequiredResources = map[string]*fnv1.Resources{}
	for name, objs := range required {
		rs := &fnv1.Resources{}
		for _, o := range objs {
			rs.Items = append(rs.Items, &fnv1.Resource{Resource: resource.MustStructJSON(o)})
		}
		req.RequiredResources[name] = rs
	}
	return req
}

// gpu is a template whose main container asks for n GPUs.
func gpu(n string) string {
	return `{"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "` + n + `"}}}]}`
}

func xrWith(spec string) string {
	return `{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}, "spec": {"model": {"uri": "hf://o/m"}, ` + spec + `}}`
}
