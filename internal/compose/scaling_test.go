package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// TestScalingOwnsReplicas: with spec.scaling the workload sends no
// replicas, so server-side apply leaves them to the autoscaler; without it
// the count is the spec's.
func TestScalingOwnsReplicas(t *testing.T) {
	hpa := map[string]any{"maxReplicas": 4, "wva": map[string]any{"hpa": map[string]any{}}}
	lws := func(extra map[string]any) map[string]any {
		s := map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "parallelism": map[string]any{"tensor": 1, "data": 2, "dataLocal": 1}, "template": gpus("1"), "worker": map[string]any{}}
		for k, v := range extra {
			s[k] = v
		}
		return s
	}
	cases := map[string]struct {
		reason   string
		spec     map[string]any
		resource string
		want     *int32
		// gpus is the GPU count the status reports: maxReplicas with scaling.
		gpus int64
	}{
		"DeploymentFixed": {
			reason:   "without scaling the spec's replicas are sent",
			spec:     map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "replicas": 3, "template": gpus("1")},
			resource: ResourceWorkload, want: ptr.To[int32](3), gpus: 3,
		},
		"DeploymentScaled": {
			reason:   "with scaling the Deployment has no replicas",
			spec:     map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "scaling": hpa, "template": gpus("1")},
			resource: ResourceWorkload, gpus: 4,
		},
		"LeaderWorkerSetScaled": {
			reason: "with scaling the LeaderWorkerSet has no replicas",
			spec:   lws(map[string]any{"scaling": hpa}), resource: ResourceWorkloadMN, gpus: 8,
		},
		"PrefillScaled": {
			reason:   "the prefill workload's scaling is its own",
			spec:     map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "replicas": 2, "template": gpus("1"), "prefill": map[string]any{"scaling": hpa, "template": gpus("1")}},
			resource: ResourcePrefill, gpus: 4,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, config.Default(), tc.spec)
			var got *int32
			switch tc.resource {
			case ResourceWorkloadMN:
				got = find[*lwsv1.LeaderWorkerSet](t, res.Objects, tc.resource).Spec.Replicas
			default:
				got = find[*appsv1.Deployment](t, res.Objects, tc.resource).Spec.Replicas
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nreplicas: -want +got:\n%s", tc.reason, diff)
			}
			for _, o := range res.Objects {
				if string(o.Name) != tc.resource {
					continue
				}
				u, err := ToComposed(o.Object)
				if err != nil {
					t.Fatal(err)
				}
				_, has := u.Object["spec"].(map[string]any)["replicas"]
				if has != (tc.want != nil) {
					t.Errorf("%s\nthe composed object has replicas: %v, want %v", tc.reason, has, tc.want != nil)
				}
			}
			var g int64
			for _, wl := range res.Workloads {
				if wl.Resource == tc.resource {
					g = wl.GPUs
				}
			}
			if g != tc.gpus {
				t.Errorf("%s\nGPUs: want %d, got %d", tc.reason, tc.gpus, g)
			}
		})
	}
}

// TestScalerHPA is WVA with the HPA actuator: the external metric of the
// HPA's own variant, the bounds, the behaviour, and the labels and
// annotations WVA discovers it by.
func TestScalerHPA(t *testing.T) {
	behavior := &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](300)}}
	cases := map[string]struct {
		reason string
		spec   map[string]any
		key    string
		want   *autoscalingv2.HorizontalPodAutoscaler
	}{
		"Main": {
			reason: "the main workload's HPA targets its Deployment, with KServe's defaults",
			spec: map[string]any{"model": map[string]any{"uri": "hf://o/m", "name": "m"}, "template": gpus("1"),
				"labels":  map[string]any{labelAcceleratorName: "H100"},
				"scaling": map[string]any{"maxReplicas": 4, "wva": map[string]any{"hpa": map[string]any{"behavior": map[string]any{"scaleDown": map[string]any{"stabilizationWindowSeconds": 300}}}}}},
			key:  ResourceWorkloadHPA,
			want: wantHPA("llama-workload-hpa", "Deployment", "llama-workload", "H100", "m", "10.0", 1, 4, behavior),
		},
		"PrefillLeaderWorkerSet": {
			reason: "the prefill HPA targets the prefill LeaderWorkerSet and keeps the workload component",
			spec: map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "template": gpus("1"), "replicas": 1,
				"prefill": map[string]any{"template": gpus("1"), "worker": map[string]any{}, "parallelism": map[string]any{"data": 2, "dataLocal": 1},
					"scaling": map[string]any{"minReplicas": 2, "maxReplicas": 3, "wva": map[string]any{"variantCost": "2.5", "hpa": map[string]any{}}}}},
			key:  ResourcePrefillHPA,
			want: wantHPA("llama-prefill-hpa", "LeaderWorkerSet", "llama-prefill-mn", acceleratorUnknown, "llama", "2.5", 2, 3, nil),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, config.Default(), tc.spec)
			got := find[*autoscalingv2.HorizontalPodAutoscaler](t, res.Objects, tc.key)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func wantHPA(name, kind, target, accelerator, model, cost string, minR, maxR int32, behavior *autoscalingv2.HorizontalPodAutoscalerBehavior) *autoscalingv2.HorizontalPodAutoscaler {
	api := appsv1.SchemeGroupVersion.String()
	if kind == "LeaderWorkerSet" {
		api = lwsv1.GroupVersion.String()
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta: metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: "team-a",
			Labels: map[string]string{
				labelName: "llama", labelPartOf: partOf, labelManagedBy: managedBy, labelComponent: componentWorkload,
				labelAcceleratorName: accelerator,
			},
			Annotations: map[string]string{annotationWVAManaged: "true", annotationWVAModelID: model, annotationWVAVariantCost: cost},
		},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: api, Kind: kind, Name: target},
			MinReplicas:    ptr.To(minR),
			MaxReplicas:    maxR,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ExternalMetricSourceType,
				External: &autoscalingv2.ExternalMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "wva_desired_replicas", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"variant_name": name}}},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: ptr.To(resource.MustParse("1"))},
				},
			}},
			Behavior: behavior,
		},
	}
}

// TestScalerScaledObject is WVA with the KEDA actuator, reading the
// platform's Prometheus, and direct KEDA on the user's triggers.
func TestScalerScaledObject(t *testing.T) {
	prom := config.Default()
	prom.Prometheus = &v1beta1.Prometheus{URL: "https://prometheus.monitoring.svc:9090"}
	promAuth := config.Default()
	promAuth.Prometheus = &v1beta1.Prometheus{URL: "http://p:9090", TLSInsecureSkipVerify: true, AuthModes: "bearer", TriggerAuthName: "prom", TriggerAuthKind: config.ClusterTriggerAuthentication}
	target := &kedav1alpha1.ScaleTarget{APIVersion: "apps/v1", Kind: "Deployment", Name: "llama-workload"}
	wvaMeta := metav1.ObjectMeta{
		Name: "llama-workload-keda", Namespace: "team-a",
		Labels:      map[string]string{labelName: "llama", labelPartOf: partOf, labelManagedBy: managedBy, labelComponent: componentWorkload, labelAcceleratorName: acceleratorUnknown},
		Annotations: map[string]string{annotationWVAManaged: "true", annotationWVAModelID: "llama", annotationWVAVariantCost: "10.0"},
	}
	query := `wva_desired_replicas{variant_name="llama-workload-keda",exported_namespace="team-a"}`
	cases := map[string]struct {
		reason string
		cfg    config.Config
		spec   map[string]any
		want   *kedav1alpha1.ScaledObject
	}{
		"WVA": {
			reason: "WVA's KEDA actuator queries the platform's Prometheus for its own variant and passes the options through",
			cfg:    prom,
			spec: map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "template": gpus("1"), "scaling": map[string]any{"minReplicas": 2, "maxReplicas": 6,
				"wva": map[string]any{"keda": map[string]any{"pollingInterval": 10, "cooldownPeriod": 120, "initialCooldownPeriod": 600, "idleReplicaCount": 0, "fallback": map[string]any{"failureThreshold": 3, "replicas": 2}}}}},
			want: &kedav1alpha1.ScaledObject{
				TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject"},
				ObjectMeta: wvaMeta,
				Spec: kedav1alpha1.ScaledObjectSpec{
					ScaleTargetRef: target, PollingInterval: ptr.To[int32](10), CooldownPeriod: ptr.To[int32](120), InitialCooldownPeriod: ptr.To[int32](600),
					IdleReplicaCount: ptr.To[int32](0), MinReplicaCount: ptr.To[int32](2), MaxReplicaCount: ptr.To[int32](6),
					Fallback: &kedav1alpha1.Fallback{FailureThreshold: 3, Replicas: 2},
					Triggers: []kedav1alpha1.ScaleTriggers{{Type: "prometheus", Name: "wva-desired-replicas", Metadata: map[string]string{
						"serverAddress": "https://prometheus.monitoring.svc:9090", "query": query, "threshold": "1", "unsafeSsl": "false",
					}}},
				},
			},
		},
		"WVAAuthenticated": {
			reason: "the auth modes and the trigger authentication come from the Function input",
			cfg:    promAuth,
			spec:   map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "template": gpus("1"), "scaling": map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{}}}},
			want: &kedav1alpha1.ScaledObject{
				TypeMeta:   metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject"},
				ObjectMeta: wvaMeta,
				Spec: kedav1alpha1.ScaledObjectSpec{
					ScaleTargetRef: target, MinReplicaCount: ptr.To[int32](1), MaxReplicaCount: ptr.To[int32](2),
					Triggers: []kedav1alpha1.ScaleTriggers{{Type: "prometheus", Name: "wva-desired-replicas", Metadata: map[string]string{
						"serverAddress": "http://p:9090", "query": query, "threshold": "1", "unsafeSsl": "true", "authModes": "bearer",
					}, AuthenticationRef: &kedav1alpha1.AuthenticationRef{Name: "prom", Kind: "ClusterTriggerAuthentication"}}},
				},
			},
		},
		"Direct": {
			reason: "direct KEDA takes the user's triggers verbatim, without WVA's label and annotations",
			cfg:    config.Default(),
			spec: map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "template": gpus("1"), "scaling": map[string]any{"maxReplicas": 3,
				"keda": map[string]any{"advanced": map[string]any{"restoreToOriginalReplicaCount": true}, "triggers": []any{map[string]any{"type": "prometheus", "metadata": map[string]any{"query": "sum(vllm:num_requests_waiting)", "threshold": "5"}}}}}},
			want: &kedav1alpha1.ScaledObject{
				TypeMeta: metav1.TypeMeta{APIVersion: "keda.sh/v1alpha1", Kind: "ScaledObject"},
				ObjectMeta: metav1.ObjectMeta{Name: "llama-workload-keda", Namespace: "team-a",
					Labels: map[string]string{labelName: "llama", labelPartOf: partOf, labelManagedBy: managedBy, labelComponent: componentWorkload}},
				Spec: kedav1alpha1.ScaledObjectSpec{
					ScaleTargetRef: target, MinReplicaCount: ptr.To[int32](1), MaxReplicaCount: ptr.To[int32](3),
					Advanced: &kedav1alpha1.AdvancedConfig{RestoreToOriginalReplicaCount: true},
					Triggers: []kedav1alpha1.ScaleTriggers{{Type: "prometheus", Metadata: map[string]string{"query": "sum(vllm:num_requests_waiting)", "threshold": "5"}}},
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, tc.cfg, tc.spec)
			got := find[*kedav1alpha1.ScaledObject](t, res.Objects, ResourceWorkloadScaledObject)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff([]Scaler{{Resource: ResourceWorkloadScaledObject}}, res.Scalers); diff != "" {
				t.Errorf("%s\nScalers: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
