package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// TestBuiltInPresets checks every preset file is a valid spec fragment: a
// typo in one would otherwise reach every service as an unknown-field
// warning or a template error.
func TestBuiltInPresets(t *testing.T) {
	for _, name := range []string{PresetSingleNode, PresetDecode, PresetPrefill, PresetMultiNodeDataParallel, PresetScheduler, PresetTracing} {
		t.Run(name, func(t *testing.T) {
			m, ok := BuiltIn(name)
			if !ok {
				t.Fatalf("no built-in preset %q", name)
			}
			m["model"] = map[string]any{"uri": "hf://o/m"}
			svc, err := spec.Decode(spec.Object{Name: "n", Namespace: "ns"}, m, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(svc.Unknown) > 0 {
				t.Errorf("fields that are not part of the API: %v", svc.Unknown)
			}
		})
	}
	if len(builtIn) != 6 {
		t.Errorf("%d preset files, want the 6 this test checks", len(builtIn))
	}
}

// TestPresetSelection checks which presets each topology gets, in order,
// including topologies that come only from a base configuration.
func TestPresetSelection(t *testing.T) {
	cases := map[string]struct {
		bases []string
		spec  string
		want  []string
	}{
		"SingleNode": {spec: `{}`, want: []string{"single-node", "function-input"}},
		"WithRouter": {spec: `{"router": {"scheduler": {}, "route": {}, "gateway": {}}}`, want: []string{"single-node", "scheduler", "function-input"}},
		"PoolRef":    {spec: `{"router": {"scheduler": {"pool": {"ref": {"name": "p"}}}}}`, want: []string{"single-node", "function-input"}},
		"Tracing":    {spec: `{"tracing": {}, "router": {"scheduler": {}}}`, want: []string{"single-node", "scheduler", "tracing", "function-input"}},
		"TracingFromBase": {
			bases: []string{`{"tracing": {"samplerArg": "1"}}`}, spec: `{}`,
			want: []string{"single-node", "tracing", "function-input"},
		},
		"PrefillFromBase": {
			bases: []string{`{"prefill": {"replicas": 2}}`}, spec: `{}`,
			want: []string{"decode", "prefill", "function-input"},
		},
		"DataParallelGroupFromBase": {
			bases: []string{`{"worker": {}, "parallelism": {"data": 4, "dataLocal": 2}}`}, spec: `{}`,
			want: []string{"single-node", "multi-node-data-parallel", "function-input"},
		},
		"PipelineGroup": {spec: `{"worker": {}, "parallelism": {"pipeline": 2}}`, want: []string{"single-node", "function-input"}},
		"WideEP": {
			spec: `{"worker": {}, "parallelism": {"data": 16, "dataLocal": 8}, "prefill": {"worker": {}, "parallelism": {"data": 16, "dataLocal": 8}}, "router": {"scheduler": {}}}`,
			want: []string{"decode", "multi-node-data-parallel", "prefill", "prefill-multi-node-data-parallel", "scheduler", "function-input"},
		},
		"TemplateInQuantity": {
			spec: `{"prefill": {}, "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "{{ .Spec.Parallelism.Tensor }}"}}}]}}`,
			want: []string{"decode", "prefill", "function-input"},
		},
		"XRRemovesBasePrefill": {
			bases: []string{`{"prefill": {"replicas": 2}}`}, spec: `{"prefill": null}`,
			want: []string{"single-node", "function-input"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var bases []Layer
			for i, b := range tc.bases {
				bases = append(bases, Layer{Name: "base" + string(rune('0'+i)), Source: SourceEnvironmentConfig, Spec: obj(t, b)})
			}
			_, layers, errs, err := Resolve(Default(), bases, Layer{Name: "xr", Source: SourceSpec, Spec: obj(t, tc.spec)})
			if err != nil || len(errs) > 0 {
				t.Fatal(err, errs)
			}
			var got []string
			for _, l := range layers[:len(layers)-len(bases)-1] {
				got = append(got, l.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("layers below the bases: -want, +got:\n%s", diff)
			}
		})
	}
}
