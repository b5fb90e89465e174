package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// TestConfidential pins the storage initializer's env for a confidential
// model, as KServe sets it.
func TestConfidential(t *testing.T) {
	confidentialEnv := func(env []corev1.EnvVar) []corev1.EnvVar {
		var out []corev1.EnvVar
		for _, e := range env {
			if e.Name == "CONFIDENTIAL_ENABLED" || e.Name == "CONFIDENTIAL_RESOURCE_ID" {
				out = append(out, e)
			}
		}
		return out
	}
	cases := map[string]struct {
		reason string
		model  map[string]any
		// template is the pod template, nil for none.
		template map[string]any
		// want is the initializer's confidential env; noInitializer
		// that the pod has none.
		want          []corev1.EnvVar
		noInitializer bool
	}{
		"HF": {
			reason: "The storage initializer decrypts with the key of the resource.",
			model:  map[string]any{"uri": "hf://o/m", "confidential": map[string]any{"enabled": true, "resourceId": "kbs:///default/key/m"}},
			want:   []corev1.EnvVar{{Name: "CONFIDENTIAL_ENABLED", Value: "true"}, {Name: "CONFIDENTIAL_RESOURCE_ID", Value: "kbs:///default/key/m"}},
		},
		"S3WithoutResource": {
			reason: "Without resourceId only decryption is turned on: the initializer picks its default resource.",
			model:  map[string]any{"uri": "s3://b/m", "confidential": map[string]any{"enabled": true}},
			want:   []corev1.EnvVar{{Name: "CONFIDENTIAL_ENABLED", Value: "true"}},
		},
		"Disabled": {
			reason: "enabled: false asks for nothing.",
			model:  map[string]any{"uri": "hf://o/m", "confidential": map[string]any{"enabled": false, "resourceId": "kbs:///default/key/m"}},
		},
		"UserValue": {
			reason: "A variable the user's storage-initializer sets is the user's.",
			model:  map[string]any{"uri": "hf://o/m", "confidential": map[string]any{"enabled": true, "resourceId": "kbs:///default/key/m"}},
			template: map[string]any{"initContainers": []any{map[string]any{"name": "storage-initializer", "env": []any{
				map[string]any{"name": "CONFIDENTIAL_RESOURCE_ID", "value": "kbs:///other/key/m"},
			}}}},
			want: []corev1.EnvVar{{Name: "CONFIDENTIAL_RESOURCE_ID", Value: "kbs:///other/key/m"}, {Name: "CONFIDENTIAL_ENABLED", Value: "true"}},
		},
		"PVC": {
			reason:        "A pvc:// model is mounted as it is: no initializer to decrypt (spec.Warnings says so).",
			model:         map[string]any{"uri": "pvc://models/m", "confidential": map[string]any{"enabled": true}},
			noInitializer: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := map[string]any{"model": tc.model}
			if tc.template != nil {
				s["template"] = tc.template
			}
			res := buildWith(t, config.Default(), s)
			pod := find[*appsv1.Deployment](t, res.Objects, ResourceWorkload).Spec.Template.Spec
			si := initContainer(&pod, wiring.StorageInitializer)
			if tc.noInitializer {
				if si != nil {
					t.Errorf("%s\nwant no storage initializer, got %v", tc.reason, si)
				}
				return
			}
			if si == nil {
				t.Fatalf("%s\nno storage initializer", tc.reason)
			}
			if diff := cmp.Diff(tc.want, confidentialEnv(si.Env)); diff != "" {
				t.Errorf("%s\nstorage initializer env: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
