package compose

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// buildNamed composes spec s for a service named name in namespace
// team-a, as the function does.
func buildNamed(t *testing.T, name string, s map[string]any) *Result {
	t.Helper()
	cfg := config.Default()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	merged, _, errs, err := config.Resolve(cfg, nil, config.Layer{Name: name, Source: config.SourceSpec, Spec: m})
	if err != nil || len(errs) > 0 {
		t.Fatalf("config.Resolve: %v %v", err, errs)
	}
	svc, err := spec.Decode(spec.Object{Name: name, Namespace: "team-a"}, merged, "")
	if err != nil {
		t.Fatalf("spec.Decode: %v", err)
	}
	svc.Platform = cfg.Platform()
	res, ferrs := Build(svc, cfg)
	if len(ferrs) > 0 {
		t.Fatalf("Build: %v", ferrs.ToAggregate())
	}
	return res
}

// withLabels is spec s with spec.labels (and prefill.labels, when s has a
// prefill) set to l.
func withLabels(s map[string]any, l map[string]string) map[string]any {
	out := maps.Clone(s)
	if l == nil {
		return out
	}
	out["labels"] = l
	if p, ok := s["prefill"].(map[string]any); ok {
		p = maps.Clone(p)
		p["labels"] = l
		out["prefill"] = p
	}
	return out
}

// A workload as far as the immutability of selectors goes: what it is
// called, and what it selects its pods by.
type selected struct {
	Kind, Name string
	// Selector is a Deployment's spec.selector; nil for a LeaderWorkerSet,
	// whose controller selects its pods by the LeaderWorkerSet's name.
	Selector *metav1.LabelSelector
}

// workloadsOf are every Deployment and LeaderWorkerSet of res by
// composition resource name, after checking that each Deployment's
// selector selects its own pods, which the API server insists on.
func workloadsOf(t *testing.T, res *Result) map[string]selected {
	t.Helper()
	out := map[string]selected{}
	for _, o := range res.Objects {
		switch w := o.Object.(type) {
		case *appsv1.Deployment:
			sel, err := metav1.LabelSelectorAsSelector(w.Spec.Selector)
			if err != nil || !sel.Matches(labels.Set(w.Spec.Template.Labels)) {
				t.Errorf("Deployment %s: selector %v does not select its pods %v (%v)", w.Name, w.Spec.Selector, w.Spec.Template.Labels, err)
			}
			out[string(o.Name)] = selected{Kind: "Deployment", Name: w.Name, Selector: w.Spec.Selector}
		case *lwsv1.LeaderWorkerSet:
			out[string(o.Name)] = selected{Kind: "LeaderWorkerSet", Name: w.Name}
		}
	}
	return out
}

// TestSelectorsNeverChange proves that spec.labels never change the
// selector of a workload that may be running, whatever they say: a
// Deployment's spec.selector is immutable, and an update that changes it
// fails, so the service could never be updated again. For every topology
// and every two sets of spec.labels, each workload composed under the same
// composition resource name in both has the same name and the same
// selector; spec.labels that give the pods another service's identity make
// another Deployment, which Crossplane creates while deleting the old one.
func TestSelectorsNeverChange(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	// The pool selects on its own label, so that the pods may say they
	// are another service's without leaving it.
	ownPool := map[string]any{"scheduler": map[string]any{"pool": map[string]any{"spec": map[string]any{
		"selector": map[string]any{"matchLabels": map[string]any{"pool": "shared", "kserve.io/component": "workload"}}}}}}
	topologies := map[string]map[string]any{
		"SingleNode": {"model": model},
		"SingleNodeScheduler": {
			"model": model, "router": map[string]any{"route": map[string]any{}, "scheduler": map[string]any{}},
		},
		"PrefillDecode": {
			"model": model, "router": ownPool, "prefill": map[string]any{"replicas": 2},
		},
		"DataParallel": {
			"model": model, "router": ownPool,
			"parallelism": map[string]any{"data": 4, "dataLocal": 2}, "template": gpus("2"), "worker": map[string]any{},
		},
		"Pipeline": {
			"model": model, "parallelism": map[string]any{"pipeline": 2, "tensor": 4}, "template": gpus("4"), "worker": map[string]any{},
		},
	}
	labelSets := map[string]map[string]string{
		"None":  nil,
		"Other": {"team": "search", "pool": "shared"},
		// KServe's heterogeneous-GPU sample: the pods of another service.
		"KServeSample": {"app.kubernetes.io/name": "nvidia", "app.kubernetes.io/part-of": "llminferenceservice", "kserve.io/component": "workload", "pool": "shared"},
		"OtherService": {"app.kubernetes.io/name": "amd", "pool": "shared"},
		"OtherPartOf":  {"app.kubernetes.io/part-of": "platform", "pool": "shared"},
		"OwnValues":    {"app.kubernetes.io/name": "llama", "app.kubernetes.io/part-of": "llminferenceservice", "pool": "shared"},
	}
	for topo, s := range topologies {
		t.Run(topo, func(t *testing.T) {
			built := map[string]map[string]selected{}
			for name, l := range labelSets {
				if topo == "SingleNodeScheduler" && l["app.kubernetes.io/name"] != "" && l["app.kubernetes.io/name"] != "llama" || topo == "SingleNodeScheduler" && l["app.kubernetes.io/part-of"] == "platform" {
					// Refused: the pods would leave the service's own
					// pool (TestBuildRefuses).
					continue
				}
				built[name] = workloadsOf(t, buildNamed(t, "llama", withLabels(s, l)))
			}
			names := slices.Sorted(maps.Keys(built))
			for i, a := range names {
				for _, b := range names[i+1:] {
					for res, wa := range built[a] {
						wb, ok := built[b][res]
						if !ok {
							continue
						}
						if diff := cmp.Diff(wa, wb); diff != "" {
							t.Errorf("composition resource %s with labels %s and %s: the workload changed name or selector: -%s, +%s:\n%s", res, a, b, a, b, diff)
						}
					}
				}
			}
		})
	}
}

// TestLabelsJoinAnotherPool composes KServe's heterogeneous-GPU sample: a
// service without a router (amd) whose spec.labels give its pods the
// identity of another service (nvidia) that has a scheduler. The other
// service's pool, its picker (which watches the pool's pods) and its
// workload Service select the pods; so does the service's own workload
// Service; the function's own keys stay its own.
func TestLabelsJoinAnotherPool(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m", "name": "qwen"}
	joining := map[string]string{"app.kubernetes.io/name": "nvidia", "app.kubernetes.io/part-of": "llminferenceservice", "kserve.io/component": "workload", "vendor": "amd"}
	amd := buildNamed(t, "amd", map[string]any{"model": model, "labels": joining})
	nvidia := buildNamed(t, "nvidia", map[string]any{"model": model, "router": map[string]any{"route": map[string]any{}, "scheduler": map[string]any{}}})

	var deploys []*appsv1.Deployment
	for _, o := range amd.Objects {
		if d, ok := o.Object.(*appsv1.Deployment); ok {
			deploys = append(deploys, d)
			if !strings.HasPrefix(string(o.Name), ResourceWorkload+"-") {
				t.Errorf("the Deployment of pods with another identity is composed as %q, want %s-<hash>", o.Name, ResourceWorkload)
			}
		}
	}
	if len(deploys) != 1 {
		t.Fatalf("want one Deployment, got %d", len(deploys))
	}
	d := deploys[0]
	if !strings.HasPrefix(d.Name, "amd-workload-") {
		t.Errorf("Deployment name %q: want amd-workload-<hash>", d.Name)
	}
	pod := labels.Set(d.Spec.Template.Labels)
	wantPod := map[string]string{
		"app.kubernetes.io/name": "nvidia", "app.kubernetes.io/part-of": "llminferenceservice",
		"app.kubernetes.io/component": componentWorkload, "kserve.io/component": "workload", "llm-d.ai/role": "both", "vendor": "amd",
	}
	if diff := cmp.Diff(wantPod, d.Spec.Template.Labels); diff != "" {
		t.Errorf("pod labels: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"app.kubernetes.io/name": "nvidia", "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": componentWorkload}, d.Spec.Selector.MatchLabels); diff != "" {
		t.Errorf("Deployment selector: -want, +got:\n%s", diff)
	}
	// The Deployment itself is the amd service's.
	if d.Labels[labelName] != "amd" {
		t.Errorf("the Deployment's own app.kubernetes.io/name is %q, want amd", d.Labels[labelName])
	}

	selects := func(what string, sel map[string]string, want bool) {
		t.Helper()
		if got := labels.SelectorFromSet(sel).Matches(pod); got != want {
			t.Errorf("%s (selector %v) selects the amd pods: want %t, got %t", what, sel, want, got)
		}
	}
	pool := find[*giev1.InferencePool](t, nvidia.Objects, ResourcePool)
	poolSel := map[string]string{}
	for k, v := range pool.Spec.Selector.MatchLabels {
		poolSel[string(k)] = string(v)
	}
	selects("the nvidia service's InferencePool, whose picker routes to what it selects", poolSel, true)
	selects("the nvidia service's workload Service", find[*corev1.Service](t, nvidia.Objects, ResourceWorkloadService).Spec.Selector, true)
	selects("the amd service's workload Service", find[*corev1.Service](t, amd.Objects, ResourceWorkloadService).Spec.Selector, true)
	// Selectors overlap, as in KServe: the nvidia Deployment's selects the
	// amd pods too; Kubernetes' controllers own pods by owner reference,
	// so neither Deployment adopts the other's.
	selects("the nvidia service's Deployment", find[*appsv1.Deployment](t, nvidia.Objects, ResourceWorkload).Spec.Selector.MatchLabels, true)
	selects("the nvidia service's picker Deployment", find[*appsv1.Deployment](t, nvidia.Objects, ResourcePickerDeployment).Spec.Selector.MatchLabels, false)
}

// TestLabelsOnPipelineWorkers checks that the function's own keys in
// spec.labels, repeating its values as KServe's sample does, do not reach
// the pipeline stages that serve nothing: they stay out of every pool.
func TestLabelsOnPipelineWorkers(t *testing.T) {
	res := buildNamed(t, "llama", map[string]any{
		"model": map[string]any{"uri": "hf://o/m"}, "parallelism": map[string]any{"pipeline": 2, "tensor": 4}, "template": gpus("4"), "worker": map[string]any{},
		"labels": map[string]string{"app.kubernetes.io/name": "other", "kserve.io/component": "workload", "llm-d.ai/role": "both"},
	})
	lws := find[*lwsv1.LeaderWorkerSet](t, res.Objects, ResourceWorkloadMN)
	leader, worker := lws.Spec.LeaderWorkerTemplate.LeaderTemplate.Labels, lws.Spec.LeaderWorkerTemplate.WorkerTemplate.Labels
	if leader[labelKServe] != "workload" || leader[labelName] != "other" {
		t.Errorf("leader labels %v: want it to serve as other's pod", leader)
	}
	if _, ok := worker[labelKServe]; ok {
		t.Errorf("worker labels %v: a pipeline stage that serves nothing must not carry %s", worker, labelKServe)
	}
	if _, ok := worker[labelRole]; ok {
		t.Errorf("worker labels %v: a pipeline stage that serves nothing must not carry %s", worker, labelRole)
	}
	if worker[labelName] != "other" {
		t.Errorf("worker labels %v: want the identity spec.labels gives", worker)
	}
}
