package main

import (
	"context"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/google/go-cmp/cmp"
)

// TestRunFunctionGPUs checks status.gpus: replicas × pods per replica ×
// GPUs per pod, per workload, so the cost is visible before scheduling.
func TestRunFunctionGPUs(t *testing.T) {
	cases := map[string]struct {
		spec string
		want map[string]any
	}{
		"SingleNode": {
			spec: `"replicas": 3, "template": ` + gpu("1"),
			want: map[string]any{"resource": "nvidia.com/gpu", "total": 3.0, "main": 3.0},
		},
		"TensorParallel": {
			spec: `"replicas": 2, "parallelism": {"tensor": 4}, "template": ` + gpu("4"),
			want: map[string]any{"resource": "nvidia.com/gpu", "total": 8.0, "main": 8.0},
		},
		"PrefillDecode": {
			spec: `"replicas": 2, "template": ` + gpu("1") + `, "prefill": {"replicas": 4, "parallelism": {"tensor": 2}, "template": ` + gpu("2") + `}`,
			want: map[string]any{"resource": "nvidia.com/gpu", "total": 10.0, "main": 2.0, "prefill": 8.0},
		},
		"WideExpertParallel": {
			spec: `"parallelism": {"data": 16, "dataLocal": 8, "expert": true}, "template": ` + gpu("8") + `, "worker": {},
			  "prefill": {"parallelism": {"data": 16, "dataLocal": 8, "expert": true}, "template": ` + gpu("8") + `, "worker": {}}`,
			want: map[string]any{"resource": "nvidia.com/gpu", "total": 32.0, "main": 16.0, "prefill": 16.0},
		},
		"PipelineGroups": {
			spec: `"replicas": 2, "parallelism": {"pipeline": 2, "tensor": 8}, "template": ` + gpu("8") + `, "worker": {}`,
			want: map[string]any{"resource": "nvidia.com/gpu", "total": 32.0, "main": 32.0},
		},
		"CPU": {
			spec: `"replicas": 2`,
			want: map[string]any{"resource": "nvidia.com/gpu", "main": 0.0, "total": 0.0},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), newRequest(xrWith(tc.spec), nil, ""))
			if err != nil {
				t.Fatal(err)
			}
			if s := summarise(rsp); s.Fatal != "" {
				t.Fatalf("unexpected fatal result: %s", s.Fatal)
			}
			got := rsp.GetDesired().GetComposite().GetResource().GetFields()["status"].GetStructValue().GetFields()["gpus"].GetStructValue().AsMap()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("status.gpus: -want, +got:\n%s", diff)
			}
		})
	}
}
