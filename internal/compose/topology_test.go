package compose

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// servedPod is one kind of pod a workload runs, for the invariants below.
type servedPod struct {
	name   string
	labels map[string]string
	spec   corev1.PodSpec
	// serves is whether the pod serves HTTP (false for Ray workers).
	serves bool
	// decode is whether it is a decode pod of a disaggregated service.
	decode  bool
	prefill bool
}

// podsOf lists the pods every workload of a Build runs.
func podsOf(t *testing.T, objs []Object, pd bool) []servedPod {
	t.Helper()
	var out []servedPod
	for _, o := range objs {
		prefill := strings.HasPrefix(string(o.Name), "prefill-")
		switch w := o.Object.(type) {
		case *appsv1.Deployment:
			if w.Spec.Template.Labels[labelComponent] == componentScheduler {
				continue
			}
			out = append(out, servedPod{string(o.Name), w.Spec.Template.Labels, w.Spec.Template.Spec, true, pd && !prefill, prefill})
		case *lwsv1.LeaderWorkerSet:
			t := w.Spec.LeaderWorkerTemplate
			pipeline := wiring.Container(&t.WorkerTemplate.Spec, wiring.MainContainer).Command[0] == "ray"
			out = append(out,
				servedPod{string(o.Name) + "/leader", t.LeaderTemplate.Labels, t.LeaderTemplate.Spec, true, pd && !prefill, prefill},
				servedPod{string(o.Name) + "/worker", t.WorkerTemplate.Labels, t.WorkerTemplate.Spec, !pipeline, pd && !prefill && !pipeline, prefill})
		}
	}
	return out
}

// TestTopologyInvariants checks, for every topology, what must hold
// between the workloads and the traffic path: the pool selects exactly the
// pods that serve, the workload Service the main workload's serving pods,
// the pool's target port is where traffic is accepted (the sidecar on
// decode pods), probes hit vLLM itself, and every serving pod's llm-d role
// is what the picker's filters expect.
func TestTopologyInvariants(t *testing.T) {
	cases := map[string]struct {
		extra map[string]any
		pd    bool
	}{
		"SingleNode": {extra: map[string]any{"template": gpus("1")}},
		"PrefillDecode": {pd: true, extra: map[string]any{
			"template": gpus("1"),
			"prefill":  map[string]any{"replicas": 2, "parallelism": map[string]any{"tensor": 2}, "template": gpus("2")},
		}},
		"DataParallelGroups": {extra: map[string]any{
			"parallelism": map[string]any{"data": 4, "dataLocal": 2}, "template": gpus("2"), "worker": map[string]any{},
		}},
		"WideExpertParallelPD": {pd: true, extra: map[string]any{
			"parallelism": map[string]any{"data": 16, "dataLocal": 8, "expert": true}, "template": gpus("8"), "worker": map[string]any{},
			"prefill": map[string]any{"parallelism": map[string]any{"data": 16, "dataLocal": 8, "expert": true}, "template": gpus("8"), "worker": map[string]any{}},
		}},
		"PipelineGroups": {extra: map[string]any{
			"parallelism": map[string]any{"pipeline": 2, "tensor": 4}, "template": gpus("4"), "worker": map[string]any{},
		}},
		"PipelineDecodeWithPrefill": {pd: true, extra: map[string]any{
			"parallelism": map[string]any{"pipeline": 2, "tensor": 4}, "template": gpus("4"), "worker": map[string]any{},
			"prefill": map[string]any{"template": gpus("1")},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res, errs := Build(decodeService(t, schedulerSpec(nil, tc.extra)), config.Default())
			if len(errs) > 0 {
				t.Fatalf("Build: %v", errs.ToAggregate())
			}
			pool := find[*giev1.InferencePool](t, res.Objects, ResourcePool)
			inPool := labels.SelectorFromSet(labels.Set(toStringMap(pool.Spec.Selector.MatchLabels)))
			svc := find[*corev1.Service](t, res.Objects, ResourceWorkloadService)
			behindService := labels.SelectorFromSet(svc.Spec.Selector)
			pods := podsOf(t, res.Objects, tc.pd)
			if len(pods) == 0 {
				t.Fatal("no model-server pods composed")
			}
			for _, p := range pods {
				set := labels.Set(p.labels)
				if got := inPool.Matches(set); got != p.serves {
					t.Errorf("%s: in pool = %t, want %t (it serves HTTP: %t)", p.name, got, p.serves, p.serves)
				}
				if got, want := behindService.Matches(set), p.serves && !p.prefill; got != want {
					t.Errorf("%s: behind the workload Service = %t, want %t", p.name, got, want)
				}
				if !p.serves {
					continue
				}
				wantRole := roleBoth
				switch {
				case p.prefill:
					wantRole = rolePrefill
				case tc.pd:
					wantRole = roleDecode
				}
				if got := p.labels[labelRole]; got != wantRole {
					t.Errorf("%s: %s = %q, want %q", p.name, labelRole, got, wantRole)
				}
				vllmPort := int32(wiring.ModelServerPort)
				if p.decode {
					vllmPort = wiring.VLLMPortBehindSidecar
					sc := initContainer(&p.spec, wiring.RoutingSidecar)
					if sc == nil || sc.RestartPolicy == nil || *sc.RestartPolicy != corev1.ContainerRestartPolicyAlways {
						t.Fatalf("%s: decode pod has no native routing sidecar", p.name)
					}
					args := strings.Join(sc.Args, " ")
					for _, want := range []string{"--port=" + itoa(int32(pool.Spec.TargetPorts[0].Number)), "--model-server-port=" + itoa(vllmPort)} {
						if !strings.Contains(args, want) {
							t.Errorf("%s: sidecar args %q lack %s", p.name, args, want)
						}
					}
					if sc.Ports[0].ContainerPort != int32(pool.Spec.TargetPorts[0].Number) {
						t.Errorf("%s: sidecar listens on %d, the pool targets %d", p.name, sc.Ports[0].ContainerPort, pool.Spec.TargetPorts[0].Number)
					}
				} else if initContainer(&p.spec, wiring.RoutingSidecar) != nil {
					t.Errorf("%s: only decode pods carry the routing sidecar", p.name)
				}
				main := wiring.Container(&p.spec, wiring.MainContainer)
				if !p.decode && main.Ports[0].ContainerPort != int32(pool.Spec.TargetPorts[0].Number) {
					t.Errorf("%s: vLLM listens on %d, the pool targets %d", p.name, main.Ports[0].ContainerPort, pool.Spec.TargetPorts[0].Number)
				}
				for _, pr := range []*corev1.Probe{main.StartupProbe, main.LivenessProbe, main.ReadinessProbe} {
					if pr.HTTPGet.Port.IntVal != vllmPort {
						t.Errorf("%s: probe %s on port %d, vLLM listens on %d", p.name, pr.HTTPGet.Path, pr.HTTPGet.Port.IntVal, vllmPort)
					}
				}
				if got := strings.Join(append(main.Command, main.Args...), " "); !strings.Contains(got, "--port "+itoa(vllmPort)) {
					t.Errorf("%s: vLLM not started on %d: %s", p.name, vllmPort, got)
				}
				if hasKV := strings.Contains(strings.Join(main.Args, " "), "--kv-transfer-config"); hasKV != tc.pd {
					t.Errorf("%s: KV transfer configured = %t, want %t", p.name, hasKV, tc.pd)
				}
			}
		})
	}
}

func toStringMap[K ~string, V ~string](m map[K]V) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}
