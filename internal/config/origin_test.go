package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestParsePath(t *testing.T) {
	n := func(s string) step { return step{s, false} }
	k := func(s string) step { return step{s, true} }
	cases := map[string][]step{
		"replicas":                          {n("replicas")},
		"template.containers[main].args[0]": {n("template"), n("containers"), k("main"), n("args"), k("0")},
		"labels[example.com/team]":          {n("labels"), k("example.com/team")},
		"worker.containers[main].resources.limits[nvidia.com/gpu]": {
			n("worker"), n("containers"), k("main"), n("resources"), n("limits"), k("nvidia.com/gpu"),
		},
	}
	for in, want := range cases {
		if diff := cmp.Diff(want, parsePath(in), cmp.AllowUnexported(step{})); diff != "" {
			t.Errorf("parsePath(%q): -want, +got:\n%s", in, diff)
		}
	}
}

func TestAttribute(t *testing.T) {
	preset := Layer{Name: "h100", Source: SourceFunctionInput, Spec: map[string]any{
		"parallelism": map[string]any{"tensor": int64(4)},
		"template": map[string]any{"containers": []any{
			map[string]any{"name": "main", "args": []any{"--port=1"}},
		}},
	}}
	env := Layer{Name: "team", Source: SourceEnvironmentConfig, Spec: map[string]any{"replicas": int64(2), "labels": map[string]any{"example.com/team": "x"}}}
	svcConfig := Layer{Name: "gpu", Namespace: "kserve", Source: SourceLLMInferenceServiceConfig, Spec: map[string]any{"worker": map[string]any{"containers": []any{
		map[string]any{"name": "main", "image": "vllm"},
	}}}}
	xr := Layer{Name: "m", Source: SourceSpec, Spec: map[string]any{"replicas": int64(3)}}
	builtIn := Layer{Name: PresetSingleNode, Source: SourceBuiltIn, Spec: map[string]any{"template": map[string]any{"enableServiceLinks": false}}}
	input := Layer{Name: LayerFunctionInput, Source: SourceFunctionInput, Spec: map[string]any{"template": map[string]any{"serviceAccountName": "sa"}}}
	layers := []Layer{builtIn, input, preset, svcConfig, env, xr}

	cases := map[string]struct {
		reason string
		field  string
		want   string
	}{
		"FromPreset": {
			reason: "A value only a preset sets names the preset and where in the input it is.",
			field:  "spec.parallelism.tensor",
			want:   "bad (from base configuration h100, at input.presets[h100].parallelism.tensor)",
		},
		"ListElementByName": {
			reason: "A container is found by name, its args by index.",
			field:  "spec.template.containers[main].args[0]",
			want:   "bad (from base configuration h100, at input.presets[h100].template.containers[main].args[0])",
		},
		"MapKeyWithDots": {
			reason: "A map key in brackets may hold dots and slashes.",
			field:  "spec.labels[example.com/team]",
			want:   "bad (from base configuration team, at environmentConfigs[team].data.spec.labels[example.com/team])",
		},
		"FromServiceConfig": {
			reason: "A value from an LLMInferenceServiceConfig names the config by namespace and name, and where in its spec.",
			field:  "spec.worker.containers[main].image",
			want:   "bad (from base configuration gpu, at llmInferenceServiceConfigs[kserve/gpu].spec.worker.containers[main].image)",
		},
		"XRWins": {
			reason: "The highest layer that sets a value is where it came from: the XR's own value is not attributed.",
			field:  "spec.replicas",
			want:   "bad",
		},
		"BuiltIn": {
			reason: "A built-in default is named as such.",
			field:  "spec.template.enableServiceLinks",
			want:   "bad (from the function's built-in preset single-node)",
		},
		"FunctionInputDefaults": {
			reason: "The input's typed defaults have no path of their own in the input.",
			field:  "spec.template.serviceAccountName",
			want:   "bad (from the defaults of the Composition's Function input)",
		},
		"NobodySetsIt": {
			reason: "A missing value is nobody's.",
			field:  "spec.model.uri",
			want:   "bad",
		},
		"IndexOutOfRange": {
			reason: "An index the layer's list does not have is not found there.",
			field:  "spec.template.containers[main].args[3]",
			want:   "bad",
		},
		"NotInSpec": {
			reason: "Errors about other objects are left alone.",
			field:  "input.router",
			want:   "bad",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := field.ErrorList{field.Invalid(field.NewPath(tc.field), 1, "bad")}
			got := Attribute(layers, in)
			if got[0].Detail != tc.want {
				t.Errorf("%s\nDetail: got %q, want %q", tc.reason, got[0].Detail, tc.want)
			}
			if in[0].Detail != "bad" {
				t.Errorf("Attribute modified its argument: %q", in[0].Detail)
			}
		})
	}
}
