package compose

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/utils/ptr"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// buildAnnotated composes spec s of a service with the XR annotations ann.
func buildAnnotated(t *testing.T, s map[string]any, ann map[string]string) *Result {
	t.Helper()
	cfg := config.Default()
	svc := decodeWith(t, cfg, s)
	svc.Annotations = ann
	res, errs := Build(svc, cfg)
	if len(errs) > 0 {
		t.Fatalf("Build: %v", errs.ToAggregate())
	}
	return res
}

// podClaims is what one pod carries of the managed claim: the template
// its resourceClaims name and the containers that use the claim.
type podClaims struct {
	Template   string
	Containers []string
}

func claimsOf(pod *corev1.PodSpec) podClaims {
	var out podClaims
	for _, c := range pod.ResourceClaims {
		if c.Name == draClaimName {
			out.Template = ptr.Deref(c.ResourceClaimTemplateName, "")
		}
	}
	for _, c := range pod.Containers {
		for _, rc := range c.Resources.Claims {
			if rc.Name == draClaimName {
				out.Containers = append(out.Containers, c.Name)
			}
		}
	}
	return out
}

// TestManagedDRA checks the ResourceClaimTemplate the managed DRA
// annotations compose, which pods and containers claim it, and that the
// claim's devices are what the workloads count as GPUs.
func TestManagedDRA(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	class := map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com"}
	sidecar := map[string]any{"containers": []any{
		map[string]any{"name": "main", "resources": map[string]any{"limits": map[string]any{"nvidia.com/gpu": "1"}}},
		map[string]any{"name": "nic-agent", "image": "example.com/agent:1"},
	}}
	// The template the pods claim: its name ends in a digest of its spec.
	tmplName := func(ann map[string]string) string {
		d, errs := spec.ManagedDRAOf(ann)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return "llama-" + draSuffix(d)
	}

	type want struct {
		// template is the composed ResourceClaimTemplate's spec, nil for none.
		template *resourcev1.ResourceClaimTemplateSpec
		// pods are the claims of each model-server pod by workload key,
		// "/leader" and "/worker" for a LeaderWorkerSet's.
		pods map[string]podClaims
		// gpus of each workload by key, and what they are counted in.
		gpus     map[string]int64
		resource corev1.ResourceName
	}
	cases := map[string]struct {
		reason string
		spec   map[string]any
		ann    map[string]string
		want   want
	}{
		"None": {
			reason: "Without the device class annotation nothing is claimed and GPUs are the extended resource's.",
			spec:   map[string]any{"model": model, "template": gpus("1")},
			want: want{
				pods:     map[string]podClaims{ResourceWorkload: {}},
				gpus:     map[string]int64{ResourceWorkload: 1},
				resource: "nvidia.com/gpu",
			},
		},
		"DeviceClassOnly": {
			reason: "One device of the class, no count written (KServe's), claimed by vLLM's container and counted as its GPU.",
			spec:   map[string]any{"model": model, "replicas": 3},
			ann:    class,
			want: want{
				template: &resourcev1.ResourceClaimTemplateSpec{Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{
					Name: "device", Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: "gpu.nvidia.com"},
				}}}}},
				pods:     map[string]podClaims{ResourceWorkload: {Template: tmplName(class), Containers: []string{"main"}}},
				gpus:     map[string]int64{ResourceWorkload: 3},
				resource: "gpu.nvidia.com",
			},
		},
		"CountAndSelectors": {
			reason: "A count above 1 is written, each CEL line is a selector, and the count is the GPUs tensor parallelism needs.",
			spec:   map[string]any{"model": model, "parallelism": map[string]any{"tensor": 2}},
			ann: map[string]string{
				spec.AnnotationDRADeviceClass: "gpu.nvidia.com", spec.AnnotationDRADeviceCount: "2",
				spec.AnnotationDRACELSelector: "device.driver == \"gpu.nvidia.com\"\n\n  device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"80Gi\")) >= 0\n",
			},
			want: want{
				template: &resourcev1.ResourceClaimTemplateSpec{Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{
					Name: "device", Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: "gpu.nvidia.com", Count: 2, Selectors: []resourcev1.DeviceSelector{
						{CEL: &resourcev1.CELDeviceSelector{Expression: `device.driver == "gpu.nvidia.com"`}},
						{CEL: &resourcev1.CELDeviceSelector{Expression: `device.capacity["gpu.nvidia.com"].memory.compareTo(quantity("80Gi")) >= 0`}},
					}},
				}}}}},
				pods: map[string]podClaims{ResourceWorkload: {Template: tmplName(map[string]string{
					spec.AnnotationDRADeviceClass: "gpu.nvidia.com", spec.AnnotationDRADeviceCount: "2",
					spec.AnnotationDRACELSelector: "device.driver == \"gpu.nvidia.com\"\n\n  device.capacity[\"gpu.nvidia.com\"].memory.compareTo(quantity(\"80Gi\")) >= 0\n",
				}), Containers: []string{"main"}}},
				gpus:     map[string]int64{ResourceWorkload: 2},
				resource: "gpu.nvidia.com",
			},
		},
		"OtherContainer": {
			reason: "The annotated container gets the devices; vLLM keeps its extended-resource GPU, which is what is counted.",
			spec:   map[string]any{"model": model, "template": sidecar},
			ann:    map[string]string{spec.AnnotationDRADeviceClass: "nic.example.com", spec.AnnotationDRAContainerName: "nic-agent"},
			want: want{
				template: &resourcev1.ResourceClaimTemplateSpec{Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{
					Name: "device", Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: "nic.example.com"},
				}}}}},
				pods: map[string]podClaims{ResourceWorkload: {
					Template:   tmplName(map[string]string{spec.AnnotationDRADeviceClass: "nic.example.com", spec.AnnotationDRAContainerName: "nic-agent"}),
					Containers: []string{"nic-agent"},
				}},
				gpus:     map[string]int64{ResourceWorkload: 1},
				resource: "nvidia.com/gpu",
			},
		},
		"PrefillAndWorkers": {
			reason: "Every model-server pod claims: decode leader and workers, prefill; the picker does not.",
			spec: map[string]any{
				"model": model, "parallelism": map[string]any{"data": 4, "dataLocal": 2}, "worker": map[string]any{},
				"router":  map[string]any{"scheduler": map[string]any{}},
				"prefill": map[string]any{"parallelism": map[string]any{"tensor": 2}, "replicas": 2},
			},
			ann: map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com", spec.AnnotationDRADeviceCount: "2"},
			want: want{
				template: &resourcev1.ResourceClaimTemplateSpec{Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{Requests: []resourcev1.DeviceRequest{{
					Name: "device", Exactly: &resourcev1.ExactDeviceRequest{DeviceClassName: "gpu.nvidia.com", Count: 2},
				}}}}},
				pods: map[string]podClaims{
					ResourceWorkloadMN + "/leader": {Template: tmplName(map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com", spec.AnnotationDRADeviceCount: "2"}), Containers: []string{"main"}},
					ResourceWorkloadMN + "/worker": {Template: tmplName(map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com", spec.AnnotationDRADeviceCount: "2"}), Containers: []string{"main"}},
					ResourcePrefill:                {Template: tmplName(map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com", spec.AnnotationDRADeviceCount: "2"}), Containers: []string{"main"}},
					ResourcePickerDeployment:       {},
				},
				// Decode: 1 group of 2 pods × 2; prefill: 2 pods × 2.
				gpus:     map[string]int64{ResourceWorkloadMN: 4, ResourcePrefill: 4},
				resource: "gpu.nvidia.com",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildAnnotated(t, tc.spec, tc.ann)

			var tmpl *resourcev1.ResourceClaimTemplateSpec
			for _, o := range res.Objects {
				if rct, ok := o.Object.(*resourcev1.ResourceClaimTemplate); ok {
					if string(o.Name) != strings.TrimPrefix(rct.Name, "llama-") {
						t.Errorf("%s: the composition resource name %q is not the template's name %q less the service's", tc.reason, o.Name, rct.Name)
					}
					tmpl = &rct.Spec
				}
			}
			if diff := cmp.Diff(tc.want.template, tmpl); diff != "" {
				t.Errorf("%s\nResourceClaimTemplate spec (-want +got):\n%s", tc.reason, diff)
			}

			pods := map[string]podClaims{}
			for key := range tc.want.pods {
				k, part, _ := strings.Cut(key, "/")
				switch part {
				case "leader":
					pods[key] = claimsOf(&find[*lwsv1.LeaderWorkerSet](t, res.Objects, k).Spec.LeaderWorkerTemplate.LeaderTemplate.Spec)
				case "worker":
					pods[key] = claimsOf(&find[*lwsv1.LeaderWorkerSet](t, res.Objects, k).Spec.LeaderWorkerTemplate.WorkerTemplate.Spec)
				default:
					pods[key] = claimsOf(&find[*appsv1.Deployment](t, res.Objects, k).Spec.Template.Spec)
				}
			}
			if diff := cmp.Diff(tc.want.pods, pods); diff != "" {
				t.Errorf("%s\npods' claims (-want +got):\n%s", tc.reason, diff)
			}

			gpus := map[string]int64{}
			for _, wl := range res.Workloads {
				gpus[wl.Resource] = wl.GPUs
			}
			if diff := cmp.Diff(tc.want.gpus, gpus); diff != "" {
				t.Errorf("%s\nworkloads' GPUs (-want +got):\n%s", tc.reason, diff)
			}
			if res.GPUResource != tc.want.resource {
				t.Errorf("%s\nGPUs counted in %q, want %q", tc.reason, res.GPUResource, tc.want.resource)
			}
		})
	}
}

// TestManagedDRATemplateName checks that the template's name follows its
// spec, since the API server refuses changes to a template's spec, and
// that nothing else moves it.
func TestManagedDRATemplateName(t *testing.T) {
	base := map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com"}
	with := func(k, v string) map[string]string {
		m := map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com"}
		m[k] = v
		return m
	}
	name := func(ann map[string]string) string {
		d, errs := spec.ManagedDRAOf(ann)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return draSuffix(d)
	}
	cases := map[string]struct {
		reason string
		ann    map[string]string
		same   bool
	}{
		"CountOne":      {reason: "A count of 1 is the default: the same template.", ann: with(spec.AnnotationDRADeviceCount, "1"), same: true},
		"Whitespace":    {reason: "The class is trimmed.", ann: map[string]string{spec.AnnotationDRADeviceClass: " gpu.nvidia.com\n"}, same: true},
		"ContainerName": {reason: "Which container uses the claim is the pod's business.", ann: with(spec.AnnotationDRAContainerName, "main"), same: true},
		"Count":         {reason: "Another count is another template.", ann: with(spec.AnnotationDRADeviceCount, "2")},
		"Class":         {reason: "Another class is another template.", ann: map[string]string{spec.AnnotationDRADeviceClass: "gpu.amd.com"}},
		"Selector":      {reason: "Another selector is another template.", ann: with(spec.AnnotationDRACELSelector, "true")},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if got := name(tc.ann) == name(base); got != tc.same {
				t.Errorf("%s\nsame name as the class alone: %t, want %t", tc.reason, got, tc.same)
			}
			if got := name(tc.ann); !strings.HasPrefix(got, resourceManagedDRA+"-") || len(got) != len(resourceManagedDRA)+9 {
				t.Errorf("%s\nname suffix %q is not managed-dra-<8 hex>", tc.reason, got)
			}
		})
	}
}
