package config

import (
	"strings"
	"testing"
)

// TestResolveRefuses is the table of the rules on the shape of every layer
// a user writes (the XR's spec, EnvironmentConfigs, the input's presets):
// the strategic merge relies on it, and a field path is better than a
// merge library's error.
func TestResolveRefuses(t *testing.T) {
	cases := map[string]struct {
		spec   string
		preset string
		// bases are layers below the spec, after the preset.
		bases []Layer
		want  []string
	}{
		"WrongType": {
			spec: `{"model": {"uri": "hf://o/m"}, "replicas": "three"}`,
			want: []string{"spec.replicas", `"three"`, "must be an integer"},
		},
		"TemplateContainersNotAList": {
			spec: `{"model": {"uri": "hf://o/m"}, "template": {"containers": {"name": "main"}}}`,
			want: []string{"spec.template.containers", "must be a list"},
		},
		"ContainerWithoutName": {
			spec: `{"model": {"uri": "hf://o/m"}, "template": {"containers": [{"image": "vllm/vllm-openai:latest"}]}}`,
			want: []string{"spec.template.containers[0].name: Required value", "merged across layers of configuration by name"},
		},
		"VolumeWithoutName": {
			spec: `{"model": {"uri": "hf://o/m"}, "template": {"volumes": [{"emptyDir": {}}]}}`,
			want: []string{"spec.template.volumes[0].name: Required value"},
		},
		"PatchDirective": {
			spec: `{"model": {"uri": "hf://o/m"}, "template": {"containers": [{"name": "main", "$patch": "delete"}]}}`,
			want: []string{"spec.template.containers[0].$patch", "strategic-merge directives are not part of the API"},
		},
		"PresetContainerWithoutName": {
			spec:   `{"model": {"uri": "hf://o/m"}}`,
			preset: `{"template": {"containers": [{"image": "x"}]}}`,
			want:   []string{"input.presets[p].template.containers[0].name: Required value"},
		},
		"ServiceConfigNamesBases": {
			spec:  `{"model": {"uri": "hf://o/m"}}`,
			bases: []Layer{{Name: "gpu", Namespace: "kserve", Source: SourceLLMInferenceServiceConfig, Spec: obj(t, `{"baseRefs": [{"name": "other"}]}`)}},
			want:  []string{"llmInferenceServiceConfigs[kserve/gpu].spec.baseRefs: Forbidden", "LLMInferenceServiceConfig kserve/gpu names base configurations itself", "references do not nest"},
		},
		"EnvironmentConfigNamesBases": {
			spec:  `{"model": {"uri": "hf://o/m"}}`,
			bases: []Layer{{Name: "team", Source: SourceEnvironmentConfig, Spec: obj(t, `{"baseRefs": []}`)}},
			want:  []string{"environmentConfigs[team].data.spec.baseRefs: Forbidden", "EnvironmentConfig team names base configurations itself"},
		},
		"ServiceConfigContainerWithoutName": {
			spec:  `{"model": {"uri": "hf://o/m"}}`,
			bases: []Layer{{Name: "gpu", Namespace: "team-a", Source: SourceLLMInferenceServiceConfig, Spec: obj(t, `{"worker": {"containers": [{"image": "x"}]}}`)}},
			want:  []string{"llmInferenceServiceConfigs[team-a/gpu].spec.worker.containers[0].name: Required value"},
		},
		"EnvWithoutName": {
			spec: `{"model": {"uri": "hf://o/m"}, "prefill": {"template": {"containers": [{"name": "main", "env": [{"value": "1"}]}]}}}`,
			want: []string{"spec.prefill.template.containers[0].env[0].name: Required value"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var bases []Layer
			if tc.preset != "" {
				bases = append(bases, Layer{Name: "p", Source: SourceFunctionInput, Spec: obj(t, tc.preset)})
			}
			bases = append(bases, tc.bases...)
			_, _, errs, err := Resolve(Default(), bases, Layer{Name: "m", Source: SourceSpec, Spec: obj(t, tc.spec)})
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			got := errs.ToAggregate()
			if got == nil {
				t.Fatalf("Resolve: want an error mentioning %q, got none", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("the errors do not mention %q:\n%s", w, got)
				}
			}
		})
	}
}
