package compose

import (
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane/function-sdk-go/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// workloadTemplates are the pod templates of a composed workload (see
// podTemplates), failing the test for an object that is no workload.
func workloadTemplates(t *testing.T, o Object) []corev1.PodTemplateSpec {
	t.Helper()
	tmpls := podTemplates(o.Object)
	if len(tmpls) == 0 {
		t.Fatalf("%s is no workload: %T", o.Name, o.Object)
	}
	return tmpls
}

// TestPodSets proves that the pods read for a workload are its own: every
// pod template of the workload carries the PodSet's labels, and no pod
// template of another workload of the service does. It also checks where
// the user's vLLM flags are said to come from.
func TestPodSets(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   map[string]any
		want   map[string]PodSet // by resource, selector left out
	}{
		"SingleNodeWithPicker": {
			reason: "The main Deployment and the picker; args and VLLM_ADDITIONAL_ARGS named.",
			spec: map[string]any{
				"model": map[string]any{"uri": "hf://o/m"},
				"template": map[string]any{"containers": []any{map[string]any{
					"name": "main", "args": []any{"--max-model-len", "4096"},
					"env": []any{map[string]any{"name": "VLLM_ADDITIONAL_ARGS", "value": "--enable-prefix-caching"}},
				}}},
				"router": map[string]any{"scheduler": map[string]any{}},
			},
			want: map[string]PodSet{
				ResourceWorkload: {Template: "spec.template", FlagFields: map[string]string{
					"--max-model-len":         "spec.template.containers[main].args",
					"--enable-prefix-caching": "spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS]",
				}},
				ResourcePickerDeployment: {Template: "spec.router.scheduler.template"},
			},
		},
		"PrefillAndMultiNode": {
			reason: "A LeaderWorkerSet's pods name spec.worker too; the prefill workload its own template.",
			spec: map[string]any{
				"model":       map[string]any{"uri": "hf://o/m"},
				"parallelism": map[string]any{"data": 4, "dataLocal": 2},
				"template":    gpus("2"),
				"worker":      map[string]any{},
				"prefill":     map[string]any{"template": gpus("1")},
			},
			want: map[string]PodSet{
				ResourceWorkloadMN: {Template: "spec.template", Worker: "spec.worker", MultiNode: true, FlagFields: map[string]string{}},
				ResourcePrefill:    {Template: "spec.prefill.template", FlagFields: map[string]string{}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, config.Default(), tc.spec)
			got := map[string]PodSet{}
			objs := map[string]Object{}
			for _, o := range res.Objects {
				objs[string(o.Name)] = o
			}
			for _, ps := range res.PodSets {
				for _, o := range res.PodSets {
					for _, tmpl := range workloadTemplates(t, objs[string(o.Resource)]) {
						matches := labels.SelectorFromSet(ps.Selector).Matches(labels.Set(tmpl.Labels))
						if o.Resource == ps.Resource && !matches {
							t.Errorf("%s\nthe pods of %s carry %v, not the labels %v they are read by", tc.reason, o.Resource, tmpl.Labels, ps.Selector)
						}
						if o.Resource != ps.Resource && matches {
							t.Errorf("%s\nthe pods of %s carry the labels %v the pods of %s are read by", tc.reason, o.Resource, ps.Selector, ps.Resource)
						}
					}
				}
				ps.Selector = nil
				got[string(ps.Resource)] = ps
			}
			want := maps.Clone(tc.want)
			for k, v := range want {
				v.Resource = resource.Name(k)
				want[k] = v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\nPodSets: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestKeepLogs proves that the containers whose failures the function
// diagnoses keep their last log lines as their termination message, and
// that a policy the user's template sets is kept.
func TestKeepLogs(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   map[string]any
		// want is the policy of each container, by resource and
		// container name; containers not named must have none.
		want map[string]map[string]corev1.TerminationMessagePolicy
	}{
		"StorageInitializerVLLMAndPicker": {
			reason: "The storage initializer, vLLM and the picker; not the routing sidecar.",
			spec: map[string]any{
				"model":   map[string]any{"uri": "hf://o/m"},
				"router":  map[string]any{"scheduler": map[string]any{}},
				"prefill": map[string]any{},
			},
			want: map[string]map[string]corev1.TerminationMessagePolicy{
				ResourceWorkload:         {"storage-initializer": corev1.TerminationMessageFallbackToLogsOnError, "main": corev1.TerminationMessageFallbackToLogsOnError},
				ResourcePrefill:          {"storage-initializer": corev1.TerminationMessageFallbackToLogsOnError, "main": corev1.TerminationMessageFallbackToLogsOnError},
				ResourcePickerDeployment: {"main": corev1.TerminationMessageFallbackToLogsOnError},
			},
		},
		"ModelcarAndUsersPolicy": {
			reason: "The modelcar too; the user's File policy on vLLM stays.",
			spec: map[string]any{
				"model": map[string]any{"uri": "oci://registry.example.com/models/m:1"},
				"template": map[string]any{"containers": []any{map[string]any{
					"name": "main", "terminationMessagePolicy": "File",
				}}},
			},
			want: map[string]map[string]corev1.TerminationMessagePolicy{
				ResourceWorkload: {"modelcar": corev1.TerminationMessageFallbackToLogsOnError, "main": corev1.TerminationMessageReadFile},
			},
		},
		"LeaderWorkerSet": {
			reason: "The leader's and the workers' vLLM.",
			spec: map[string]any{
				"model":       map[string]any{"uri": "pvc://models/m"},
				"parallelism": map[string]any{"tensor": 2, "pipeline": 2},
				"template":    gpus("2"),
				"worker":      map[string]any{},
			},
			want: map[string]map[string]corev1.TerminationMessagePolicy{
				ResourceWorkloadMN: {"main": corev1.TerminationMessageFallbackToLogsOnError},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, config.Default(), tc.spec)
			got := map[string]map[string]corev1.TerminationMessagePolicy{}
			for _, o := range res.Objects {
				switch o.Object.(type) {
				case *appsv1.Deployment, *lwsv1.LeaderWorkerSet:
				default:
					continue
				}
				for _, tmpl := range workloadTemplates(t, o) {
					for _, c := range append(tmpl.Spec.InitContainers, tmpl.Spec.Containers...) {
						if c.TerminationMessagePolicy == "" {
							continue
						}
						if got[string(o.Name)] == nil {
							got[string(o.Name)] = map[string]corev1.TerminationMessagePolicy{}
						}
						got[string(o.Name)][c.Name] = c.TerminationMessagePolicy
					}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nterminationMessagePolicy by workload and container: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
