package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

// mainEnv is a pod template whose main container has env.
func mainEnv(env ...corev1.EnvVar) *corev1.PodSpec {
	return &corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Env: env}}}
}

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
		"PlatformGatewayWithoutRoute": {
			reason: "When gateway: {} means the platform's Gateway, nothing is composed, so nothing is idle.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Gateway: &GatewaySpec{}}}, Platform: Platform{EmptyGatewayIsPlatform: true}},
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
		"RemovedVLLMEnv": {
			reason: "A variable vLLM no longer reads is named with the flag that replaced it, in every model-server template.",
			svc: Service{Spec: LLMInferenceServiceSpec{
				WorkloadSpec: WorkloadSpec{Template: mainEnv(corev1.EnvVar{Name: "VLLM_ALL2ALL_BACKEND", Value: "deepep_low_latency"})},
				Prefill:      &WorkloadSpec{Template: mainEnv(corev1.EnvVar{Name: "VLLM_MM_INPUT_CACHE_GIB", Value: "4"})},
				Router:       &RouterSpec{Scheduler: &SchedulerSpec{}},
			}},
			want: []string{
				"spec.template.containers[main].env[VLLM_ALL2ALL_BACKEND]: vLLM no longer reads VLLM_ALL2ALL_BACKEND (removed in vLLM v0.15): pass --all2all-backend=deepep_low_latency in spec.template.containers[main].args instead",
				"spec.prefill.template.containers[main].env[VLLM_MM_INPUT_CACHE_GIB]: vLLM no longer reads VLLM_MM_INPUT_CACHE_GIB (removed in vLLM v0.13): pass --mm-processor-cache-gb=4 in spec.prefill.template.containers[main].args instead",
			},
		},
		"KServeRoCE": {
			reason: "KServe's RoCE detection is not run: say so when it is asked for.",
			svc: Service{Spec: LLMInferenceServiceSpec{WorkloadSpec: WorkloadSpec{Template: mainEnv(
				corev1.EnvVar{Name: "KSERVE_INFER_ROCE", Value: "true"}, corev1.EnvVar{Name: "KSERVE_INFER_IB_GID_INDEX_GREP", Value: "RoCE v2"})}}},
			want: []string{
				"spec.template.containers[main].env[KSERVE_INFER_ROCE]: is not honoured: the function does not run KServe's RoCE detection; set NCCL_IB_HCA, NVSHMEM_HCA_LIST, UCX_NET_DEVICES and NCCL_IB_GID_INDEX, NVSHMEM_IB_GID_INDEX, UCX_IB_GID_INDEX for your RDMA devices in the same env",
				"spec.template.containers[main].env[KSERVE_INFER_IB_GID_INDEX_GREP]: is not honoured: it tunes KServe's RoCE detection (KSERVE_INFER_ROCE), which the function does not run",
			},
		},
		"KServeRoCEOff": {
			reason: "KServe acts on true only.",
			svc:    Service{Spec: LLMInferenceServiceSpec{WorkloadSpec: WorkloadSpec{Template: mainEnv(corev1.EnvVar{Name: "KSERVE_INFER_ROCE", Value: "false"})}}},
		},
		"ResolveAttemptsOnOneNode": {
			reason: "Only data parallel groups resolve their leader.",
			svc:    Service{Spec: LLMInferenceServiceSpec{WorkloadSpec: WorkloadSpec{Template: mainEnv(corev1.EnvVar{Name: "DP_ADDRESS_RESOLVE_ATTEMPTS", Value: "5"})}}},
			want:   []string{"spec.template.containers[main].env[DP_ADDRESS_RESOLVE_ATTEMPTS]: has no effect: only the pods of a multi-node data parallel group (spec.worker with parallelism.data) resolve their leader's address"},
		},
		"ResolveAttemptsOnDataParallelGroup": {
			reason: "There the launcher reads it.",
			svc: Service{Spec: LLMInferenceServiceSpec{WorkloadSpec: WorkloadSpec{
				Parallelism: &ParallelismSpec{Data: ptr.To[int32](4), DataLocal: ptr.To[int32](2)},
				Template:    mainEnv(corev1.EnvVar{Name: "DP_ADDRESS_RESOLVE_ATTEMPTS", Value: "5"}), Worker: &corev1.PodSpec{},
			}}},
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
			reason: "kvCacheOffloading is composed: nothing to warn about.",
			svc: Service{Spec: LLMInferenceServiceSpec{
				WorkloadSpec: WorkloadSpec{KVCacheOffloading: &KVCacheOffloadingSpec{CPU: resource.MustParse("1Gi")}},
				Prefill:      &WorkloadSpec{KVCacheOffloading: &KVCacheOffloadingSpec{CPU: resource.MustParse("1Gi")}},
				Router:       &RouterSpec{Scheduler: &SchedulerSpec{}},
			}},
		},
		"KVCacheOffloadingNoCPU": {
			reason: "A CPU tier of 0 bytes offloads nothing, so vLLM gets no connector for it.",
			svc: Service{Spec: LLMInferenceServiceSpec{
				WorkloadSpec: WorkloadSpec{KVCacheOffloading: &KVCacheOffloadingSpec{}},
				Prefill:      &WorkloadSpec{KVCacheOffloading: &KVCacheOffloadingSpec{CPU: resource.MustParse("1Gi")}},
				Router:       &RouterSpec{Scheduler: &SchedulerSpec{}},
			}},
			want: []string{"spec.kvCacheOffloading.cpu is 0: no KV cache is offloaded and vLLM gets no OffloadingConnector; set the CPU memory the KV cache may use, e.g. 10Gi, or remove spec.kvCacheOffloading"},
		},
		"Confidential": {
			reason: "A confidential model the storage initializer downloads is decrypted: nothing to warn about.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{URI: "s3://b/m", Confidential: &ConfidentialSpec{Enabled: true}}}},
		},
		"ConfidentialOCI": {
			reason: "An oci:// model is mounted as it is, as KServe's webhook warns.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{URI: "oci://registry/m:1", Confidential: &ConfidentialSpec{Enabled: true}}}},
			want:   []string{"spec.model.confidential has no effect on an oci:// model: the image's files are mounted as they are, without the storage initializer that decrypts; serve an encrypted model from hf:// or s3://"},
		},
		"ConfidentialPVC": {
			reason: "A pvc:// model is mounted as it is, as KServe's webhook warns.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{URI: "pvc://models/m", Confidential: &ConfidentialSpec{Enabled: true}}}},
			want:   []string{"spec.model.confidential has no effect on a pvc:// model: the claim is mounted as it is, without the storage initializer that decrypts; serve an encrypted model from hf:// or s3://"},
		},
		"ConfidentialWithoutInitializer": {
			reason: "Without the storage initializer nothing decrypts.",
			svc: Service{Spec: LLMInferenceServiceSpec{
				Model:              LLMModelSpec{URI: "hf://o/m", Confidential: &ConfidentialSpec{Enabled: true}},
				StorageInitializer: &StorageInitializerSpec{Enabled: ptr.To(false)},
			}},
			want: []string{"spec.model.confidential has no effect with spec.storageInitializer.enabled: false: only the storage initializer decrypts the model, and it does not run"},
		},
		"ConfidentialWithAdapters": {
			reason: "Adapters the same initializer downloads are decrypted with the model's key; KServe decrypts nothing then.",
			svc: Service{Spec: LLMInferenceServiceSpec{Model: LLMModelSpec{
				URI: "hf://o/m", Confidential: &ConfidentialSpec{Enabled: true},
				LoRA: &LoRASpec{Adapters: []LoRAAdapterSpec{{Name: "a", URI: "pvc://c/a"}, {Name: "b", URI: "hf://o/b"}}},
			}}},
			want: []string{"spec.model.confidential: the storage initializer that decrypts the model downloads the LoRA adapters from hf:// and s3:// too, with the same key (KServe decrypts nothing when a service has adapters)"},
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
