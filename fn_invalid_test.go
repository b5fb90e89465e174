package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// TestRunFunctionRefusesInvalid runs whole RunFunction calls that must be
// refused, one or two per owner of the rules: the request itself, the
// Function input (internal/config), the shape of every layer
// (internal/config), spec.baseRefs, the Go templates (internal/templates),
// the spec's own rules (internal/spec) and the rules that need the built
// objects (internal/compose). Each owner
// has its own table of every rule it owns; this one proves that a refusal
// from any of them is a Fatal result, so Crossplane applies and deletes
// nothing and running workloads survive a bad update, with the message
// the user sees, and that nothing half-composed is passed on.
func TestRunFunctionRefusesInvalid(t *testing.T) {
	const model = `"model": {"uri": "hf://o/m"}`
	cases := map[string]struct {
		reason string
		xr     string
		input  string
		want   []string
	}{
		"NoSpec": {
			reason: "An XR without a spec is not an LLMInferenceService.",
			xr:     `{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}}`,
			want:   []string{"the composite resource has no spec"},
		},
		"ClusterScopedNoNamespace": {
			reason: "A cluster-scoped XR not made for a claim needs the input's namespace.",
			xr:     `{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m"}, "spec": {` + model + `}}`,
			want:   []string{"cannot decode the LLMInferenceService spec", "cannot determine the namespace", "the Function input sets no namespace"},
		},
		"InputUnknownField": {
			reason: "The SDK decodes the input strictly.",
			xr:     invalidXR(`{` + model + `}`),
			input:  invalidInput(`"imagez": {}`),
			want:   []string{"cannot get Function input", "imagez"},
		},
		"InputInvalid": {
			reason: "The input's own rules (internal/config), every error in one message.",
			xr:     invalidXR(`{` + model + `}`),
			input:  invalidInput(`"router": {"provider": "Linkerd", "scheduler": {"extraArgs": ["--zap-log-level=debug", "--grpc-port=9100"]}}`),
			want:   []string{"invalid Function input", "input.router.provider", `Unsupported value: "Linkerd"`, "input.router.scheduler.extraArgs[1]", "--grpc-port is set by the function"},
		},
		"LayerShape": {
			reason: "The shape of a layer (internal/config), checked before any merge.",
			xr:     invalidXR(`{` + model + `, "replicas": "three"}`),
			want:   []string{"invalid LLMInferenceService", "spec.replicas", `"three"`, "must be an integer"},
		},
		"PresetShape": {
			reason: "A preset of the input is checked like the spec, at its own path.",
			xr:     invalidXR(`{` + model + `, "baseRefs": [{"name": "p"}]}`),
			input:  invalidInput(`"presets": {"p": {"template": {"containers": [{"image": "x"}]}}}`),
			want:   []string{"input.presets[p].template.containers[0].name: Required value"},
		},
		"BaseRefWithoutName": {
			reason: "spec.baseRefs is resolved before anything is merged.",
			xr:     invalidXR(`{` + model + `, "baseRefs": [{}]}`),
			want:   []string{"cannot resolve the base configurations", "spec.baseRefs[0].name: Required value"},
		},
		"Spec": {
			reason: "The spec's own rules (internal/spec), every error in one message.",
			xr:     invalidXR(`{"model": {"uri": "gs://bucket/model"}, "replicas": -1}`),
			want:   []string{"invalid LLMInferenceService", "spec.model.uri", `unsupported scheme "gs"`, "spec.replicas", "must be 0 or more"},
		},
		"KVEventsBlockSize": {
			reason: "vLLM's block size must be the picker's KV-events scorer's: a spec rule over the picker's configuration.",
			xr: invalidXR(`{` + model + `, "template": {"containers": [{"name": "main", "args": ["--block-size=32"]}]},
			  "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-producer", "parameters": {"tokenProcessorConfig": {"blockSize": 64}}}]}}}}}`),
			want: []string{"invalid LLMInferenceService", "spec.template.containers[main].args[0]", "block size must equal the picker's, 64"},
		},
		"CriticalityAnnotation": {
			reason: "The annotations KServe's v1alpha2 keeps criticality in are the spec's rules too, named by the annotation.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns", "annotations": {"internal.serving.kserve.io/model-criticality": "Urgent"}},
			  "spec": {` + model + `, "router": {"scheduler": {}}}}`,
			want: []string{"invalid LLMInferenceService", "metadata.annotations[internal.serving.kserve.io/model-criticality]", `Unsupported value: "Urgent"`},
		},
		"SpecValueFromPreset": {
			reason: "A value a base configuration set is checked like one in the spec, and the message says where it is written.",
			xr:     invalidXR(`{` + model + `, "baseRefs": [{"name": "p"}]}`),
			input:  invalidInput(`"presets": {"p": {"template": {"containers": [{"name": "main", "args": ["--port=9000"]}]}}}`),
			want:   []string{"spec.template.containers[main].args[0]", "--port=9000 contradicts the function's --port 8000", "(from base configuration p, at input.presets[p].template.containers[main].args[0])"},
		},
		"TemplateFromPreset": {
			reason: "A Go template that cannot render (internal/templates) in a base configuration names the field, the template and where it is written.",
			xr:     invalidXR(`{` + model + `, "baseRefs": [{"name": "p"}]}`),
			input:  invalidInput(`"presets": {"p": {"template": {"containers": [{"name": "main", "env": [{"name": "KV_EVENTS_CONFIG", "value": "{{ .Spec.KVEvents }}"}]}]}}}`),
			want: []string{"invalid LLMInferenceService", `spec.template.containers[main].env[KV_EVENTS_CONFIG].value: Invalid value: "{{ .Spec.KVEvents }}"`,
				"can't evaluate field KVEvents", "(from base configuration p, at input.presets[p].template.containers[main].env[KV_EVENTS_CONFIG].value)"},
		},
		"Built": {
			reason: "The rules that need the built objects (internal/compose).",
			xr:     invalidXR(`{` + model + `, "parallelism": {"tensor": 2}, "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}`),
			want:   []string{"invalid LLMInferenceService", "spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 1 nvidia.com/gpu", "needs 2 per pod"},
		},
		"AuthenticationOnPlatformGateway": {
			reason: "Route authentication with Istio needs the route's Gateway beside its policies (internal/compose), and the input reaches that check.",
			xr:     invalidXR(`{` + model + `, "router": {"route": {}}}`),
			input:  invalidInput(`"router": {"authentication": {"gateway": "Istio", "jwt": {"issuer": "https://i", "jwksURI": "https://i/jwks"}}}`),
			want:   []string{"invalid LLMInferenceService", `spec.router.gateway: Invalid value: "Gateway kserve/kserve-ingress-gateway"`, "security.opendatahub.io/enable-auth"},
		},
		"BuiltWithInput": {
			reason: "The input's GPU resource name reaches the built pods' check.",
			xr:     invalidXR(`{` + model + `, "parallelism": {"tensor": 2}, "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "2"}}}]}}`),
			input:  invalidInput(`"modelServer": {"gpuResourceName": "amd.com/gpu"}`),
			want:   []string{"spec.template.containers[main].resources.requests[amd.com/gpu]", "asks for no amd.com/gpu"},
		},
		// Pod security and the API server's limits (internal/compose).
		"PodSecurity": {
			reason: "A template the input's Pod Security profile (baseline by default) forbids is refused with the field and the check named.",
			xr:     invalidXR(`{` + model + `, "template": {"containers": [{"name": "main", "securityContext": {"privileged": true}}]}}`),
			want:   []string{"invalid LLMInferenceService", "spec.template.containers[main].securityContext.privileged: Forbidden", "baseline profile", "check privileged"},
		},
		"PodSecurityFromPreset": {
			reason: "The message says where the offending value is written.",
			xr:     invalidXR(`{` + model + `, "baseRefs": [{"name": "rdma"}]}`),
			input:  invalidInput(`"presets": {"rdma": {"template": {"containers": [{"name": "main", "securityContext": {"capabilities": {"add": ["IPC_LOCK"]}}}]}}}`),
			want: []string{"spec.template.containers[main].securityContext.capabilities.add: Forbidden", "podSecurity.ipcLock: Enabled",
				"(from base configuration rdma, at input.presets[rdma].template.containers[main].securityContext.capabilities.add)"},
		},
		"RouteOverGatewayAPILimits": {
			reason: "14 LoRA adapters take more model name header matches than an HTTPRoute may hold (9 per name): the adapters are named, with the most that fit.",
			xr:     invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [` + loraAdapters(14) + `]}}, "router": {"route": {}}}`),
			want:   []string{"invalid LLMInferenceService", `spec.model.lora.adapters: Invalid value: "14 adapters"`, "137 matches in all", "serve at most 13 adapters"},
		},
		"ModelNameNotARoutePath": {
			reason: "A served model name the publisher path cannot carry would make the API server refuse the route: the name is refused first.",
			xr:     invalidXR(`{"model": {"uri": "hf://o/m", "name": "llama#3"}, "router": {"route": {}, "gateway": {}}}`),
			want:   []string{"invalid LLMInferenceService", `spec.model.name: Invalid value: "llama#3"`, `contains "#"`, "Gateway API would refuse the route"},
		},
		"AnnotationsOverAPIServerLimit": {
			reason: "300 KB of pod annotations would be refused by the API server: here the field is named.",
			xr:     invalidXR(`{` + model + `, "annotations": {"example.com/big": "` + strings.Repeat("x", 300*1024) + `"}}`),
			want:   []string{"invalid LLMInferenceService", "spec.annotations: Too long", "more than the 262144 the API server accepts"},
		},
	}

	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), newRequest(tc.xr, nil, tc.input))
			if err != nil {
				t.Fatalf("RunFunction returned an error, want a Fatal result: %v", err)
			}
			var fatal []string
			for _, r := range rsp.GetResults() {
				if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
					fatal = append(fatal, r.GetMessage())
				}
			}
			if len(fatal) != 1 {
				t.Fatalf("want exactly one Fatal result, got %d: %q", len(fatal), fatal)
			}
			if strings.Contains(fatal[0], errPanic) {
				t.Fatalf("the function panicked: %s", fatal[0])
			}
			for _, w := range tc.want {
				if !strings.Contains(fatal[0], w) {
					t.Errorf("%s\nthe Fatal result does not mention %q:\n%s", tc.reason, w, fatal[0])
				}
			}
			// A refusal composes nothing: half a desired state must
			// never be passed on.
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Errorf("a Fatal response desires %d resources, want none", n)
			}
		})
	}
}

// loraAdapters is the JSON of n LoRA adapters, each under a name of its own.
func loraAdapters(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf(`{"name": "a%03d", "uri": "hf://o/a"}`, i)
	}
	return strings.Join(out, ", ")
}
