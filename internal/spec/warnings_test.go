package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

func TestWarnings(t *testing.T) {
	const (
		ingress     = "spec.router.ingress is accepted but ignored: KServe does not implement it either; use spec.router.gateway and spec.router.route"
		noRoute     = "spec.router.gateway composes a Gateway, but without spec.router.route nothing routes to the model through it; add spec.router.route: {}"
		idlePrefill = "spec.prefill without spec.router.scheduler: only the endpoint picker sends work to prefill pods, so they will sit idle; add spec.router.scheduler: {}"
		criticality = "spec.model.criticality has no effect without spec.router.scheduler: the endpoint picker enforces it"
	)
	cases := map[string]struct {
		reason string
		svc    Service
		want   []string
	}{
		"None": {
			reason: "A spec that is acted on in full warns about nothing.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Gateway: &GatewaySpec{}, Route: &GatewayRoutesSpec{}, Scheduler: &SchedulerSpec{}}}},
		},
		"Ingress": {
			reason: "spec.router.ingress is accepted and ignored, like KServe.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Ingress: &IngressSpec{}}}},
			want:   []string{ingress},
		},
		"ManagedGatewayWithoutRoute": {
			reason: "A managed Gateway nothing routes through is probably a mistake.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Gateway: &GatewaySpec{}}}},
			want:   []string{noRoute},
		},
		"ReferencedGatewayWithoutRoute": {
			reason: "Referenced Gateways compose nothing, so there is nothing idle to warn about.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Gateway: &GatewaySpec{Refs: []UntypedObjectReference{{Name: "gw"}}}}}},
		},
		"PrefillAndCriticalityWithoutScheduler": {
			reason: "Only the endpoint picker sends work to prefill pods and enforces criticality.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{Criticality: ptr.To(Criticality("Critical"))}, Prefill: &WorkloadSpec{}}},
			want:   []string{idlePrefill, criticality},
		},
		"PrefillWithScheduler": {
			reason: "With a scheduler, prefill pods get work.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Prefill: &WorkloadSpec{}, Router: &RouterSpec{Scheduler: &SchedulerSpec{}}}},
		},
		"CriticalityAnnotationWithoutScheduler": {
			reason: "A criticality from the annotation v1alpha2 keeps it in is named by its annotation.",
			svc: Service{
				Annotations: map[string]string{AnnotationModelCriticality: "Critical"},
				Raw:         map[string]any{"model": map[string]any{"uri": "hf://o/m"}},
				Spec:        LLMInferenceServiceSpec{Model: LLMModelSpec{Criticality: ptr.To(Criticality("Critical"))}},
			},
			want: []string{"metadata.annotations[internal.serving.kserve.io/model-criticality] has no effect without spec.router.scheduler: the endpoint picker enforces it"},
		},
		"AdapterCriticality": {
			reason: "An adapter's criticality is accepted, and said to change nothing.",
			svc: Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{LoRA: &LoRASpec{Adapters: []LoRAAdapterSpec{
				{Name: "sql", Criticality: ptr.To(CriticalitySheddable)}, {Name: "chat"}, {Name: "code", Criticality: ptr.To(CriticalityCritical)},
			}}}, Router: &RouterSpec{Scheduler: &SchedulerSpec{}}}},
			want: []string{"the criticality of LoRA adapters sql, code (spec.model.lora.adapters[].criticality, or the annotation internal.serving.kserve.io/lora-criticalities) has no effect: " +
				"the endpoint picker chooses an InferenceObjective per request by header, not per model, so requests to an adapter get the model's (spec.model.criticality)"},
		},
		"KVCacheOffloading": {
			reason: "kvCacheOffloading is accepted and checked, but not composed yet.",
			svc: Service{Spec: LLMInferenceServiceSpec{
				WorkloadSpec: WorkloadSpec{KVCacheOffloading: &KVCacheOffloadingSpec{}},
				Prefill:      &WorkloadSpec{KVCacheOffloading: &KVCacheOffloadingSpec{}},
				Router:       &RouterSpec{Scheduler: &SchedulerSpec{}},
			}},
			want: []string{
				"spec.kvCacheOffloading is accepted but not composed yet: vLLM runs without KV cache offloading (no OffloadingConnector --kv-transfer-config, no secondary tier volumes)",
				"spec.prefill.kvCacheOffloading is accepted but not composed yet: vLLM runs without KV cache offloading (no OffloadingConnector --kv-transfer-config, no secondary tier volumes)",
			},
		},
		"Confidential": {
			reason: "A confidential model is accepted, but downloaded as it is.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{Confidential: &ConfidentialSpec{Enabled: true}}}},
			want:   []string{"spec.model.confidential is accepted but not composed yet: the model is downloaded as it is, without decrypting it, so an encrypted model will not load"},
		},
		"ConfidentialDisabled": {
			reason: "Confidential serving turned off asks for nothing, like KServe.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{Confidential: &ConfidentialSpec{Enabled: false}}}},
		},
		"UnknownFields": {
			reason: "Fields outside the API are named, in the order decoding found them.",
			svc:    Service{Unknown: []string{"spec.model.revision", "spec.foo"}},
			want:   []string{"ignored fields that are not part of the LLMInferenceService API: spec.model.revision, spec.foo"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Warnings(&tc.svc)); diff != "" {
				t.Errorf("%s\nWarnings(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
