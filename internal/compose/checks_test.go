package compose

import (
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// TestBuildRefuses is the table of the rules compose owns: those that need
// the built objects. The GPUs a pod asks for are only known once the
// template is merged over the built-in pod and the Function input's
// defaults, and for a worker once the worker is merged over the template;
// the Pod Security profile and the API server's limits apply to the
// objects as they will be applied.
// A refusal composes nothing.
func TestBuildRefuses(t *testing.T) {
	main := func(fields string) map[string]any {
		var c map[string]any
		mustUnmarshal(t, `{"name": "main", `+fields+`}`, &c)
		return map[string]any{"containers": []any{c}}
	}
	model := map[string]any{"uri": "hf://o/m"}
	par := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	amd := config.Default()
	amd.GPUResource = "amd.com/gpu"
	istio := config.Default()
	istio.Provider = v1beta1.ProviderIstio
	istioAuthCfg := authConfig(istioAuth)
	ipcLock := config.Default()
	ipcLock.AllowIPCLock = true
	restricted := config.Default()
	restricted.PodSecurityLevel = v1beta1.PodSecurityRestricted
	restrictedNonRoot := restricted
	restrictedNonRoot.RunAsUser = ptr.To[int64](1000)
	bigAnnotations := config.Default()
	bigAnnotations.Annotations = map[string]string{"example.com/big": strings.Repeat("x", 300*1024)}

	dra := func(kv ...string) map[string]string {
		m := map[string]string{spec.AnnotationDRADeviceClass: "gpu.nvidia.com"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}

	cases := map[string]struct {
		spec map[string]any
		cfg  *config.Config
		// annotations are the XR's.
		annotations map[string]string
		want        []string
		// not are what the errors must not mention.
		not []string
	}{
		// Route authentication with Istio, whose policies sit beside the
		// route's Gateways.
		"IstioAuthOnPlatformGateway": {
			spec: map[string]any{"model": model, "router": map[string]any{"route": map[string]any{}}},
			cfg:  &istioAuthCfg,
			want: []string{`spec.router.gateway: Invalid value: "Gateway kserve/kserve-ingress-gateway"`, "in the service's namespace team-a", "spec.router.gateway: {} composes one", `security.opendatahub.io/enable-auth: "false"`},
		},
		"IstioAuthOnGatewayElsewhere": {
			spec: map[string]any{"model": model, "router": map[string]any{"gateway": map[string]any{"refs": []any{map[string]any{"name": "gw", "namespace": "gateways"}}}, "route": map[string]any{}}},
			cfg:  &istioAuthCfg,
			want: []string{`spec.router.gateway.refs[0]: Invalid value: "Gateway gateways/gw"`, "Istio applies a policy only to Gateways of its own namespace"},
		},
		"IstioAuthParentNotAGateway": {
			spec: map[string]any{"model": model, "router": map[string]any{"route": map[string]any{"http": map[string]any{"spec": map[string]any{
				"parentRefs": []any{map[string]any{"group": "", "kind": "Service", "name": "mesh"}}}}}}},
			cfg:  &istioAuthCfg,
			want: []string{`spec.router.route.http.spec.parentRefs[0]: Invalid value: "Service team-a/mesh"`, "this parent is no Gateway"},
		},
		"IstioAuthRegexPath": {
			spec: map[string]any{"model": model, "router": map[string]any{"gateway": map[string]any{}, "route": map[string]any{"http": map[string]any{"spec": map[string]any{
				"rules": []any{map[string]any{"matches": []any{map[string]any{"path": map[string]any{"type": "RegularExpression", "value": "/v[0-9]+/.*"}}}}}}}}}},
			cfg:  &istioAuthCfg,
			want: []string{`spec.router.route.http.spec.rules[0].matches[0].path: Invalid value: "/v[0-9]+/.*"`, "Istio cannot match a regular expression", "PathPrefix or Exact"},
		},
		"WVAKEDAWithoutPrometheus": {
			spec: map[string]any{"model": model, "scaling": map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{}}}},
			want: []string{"spec.scaling.wva.keda: Required value", "input.autoscaling.prometheus.url", "or use scaling.wva.hpa"},
		},
		"GPUsBelowParallelism": {
			spec: map[string]any{"model": model, "parallelism": par("tensor", 2), "template": gpus("1")},
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 1 nvidia.com/gpu", "needs 2 per pod (tensor 2 × pipeline 1 × dataLocal 1)"},
		},
		"GPUsAboveParallelism": {
			spec: map[string]any{"model": model, "template": gpus("2")},
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 2 nvidia.com/gpu", "needs 1 per pod"},
		},
		"GPURequestsNotLimits": {
			spec: map[string]any{"model": model, "template": main(`"resources": {"requests": {"nvidia.com/gpu": "2"}, "limits": {"nvidia.com/gpu": "1"}}`)},
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "GPU requests (2) and limits (1) must be equal"},
		},
		"GPUsFractional": {
			spec: map[string]any{"model": model, "template": gpus("500m")},
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "GPUs must be a whole number"},
		},
		"GPUsMissingWithTensor": {
			spec: map[string]any{"model": model, "parallelism": par("tensor", 4)},
			want: []string{"spec.template.containers[main].resources.requests[nvidia.com/gpu]: Required value", "spec.parallelism needs 4 GPUs per pod", "asks for no nvidia.com/gpu"},
		},
		"GPURequestsOnlyMismatch": {
			spec: map[string]any{"model": model, "parallelism": par("tensor", 2), "template": main(`"resources": {"requests": {"nvidia.com/gpu": "1"}}`)},
			want: []string{"spec.template.containers[main].resources.requests[nvidia.com/gpu]", "asks for 1"},
		},
		"WorkerGPUMismatch": {
			spec: map[string]any{"model": model, "parallelism": par("data", 16, "dataLocal", 8), "template": gpus("8"), "worker": gpus("4")},
			want: []string{"spec.worker.containers[main].resources.limits[nvidia.com/gpu]", "asks for 4", "needs 8 per pod"},
		},
		"PipelineStageGPUs": {
			// Each pod of a pipeline group runs one stage: it needs the
			// GPUs of its tensor ranks, not of the whole pipeline.
			spec: map[string]any{"model": model, "parallelism": par("pipeline", 2, "tensor", 4), "template": gpus("8"), "worker": map[string]any{}},
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 8", "needs 4 per pod (tensor 4, one of 2 pipeline stages per pod)"},
		},
		"PrefillGPUMismatch": {
			spec: map[string]any{"model": model, "prefill": map[string]any{"parallelism": par("tensor", 2), "template": gpus("1")}},
			want: []string{"spec.prefill.template.containers[main].resources.limits[nvidia.com/gpu]", "spec.prefill.parallelism needs 2"},
		},
		"GPUsBelowFlagParallelism": {
			// Tensor parallelism from VLLM_ADDITIONAL_ARGS counts like the spec's.
			spec: map[string]any{"model": model, "template": main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--tensor-parallel-size=4"}], "resources": {"limits": {"nvidia.com/gpu": "2"}}`)},
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 2", "needs 4 per pod",
				"tensor from --tensor-parallel-size=4 in spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS]"},
		},
		"WorkerFlagsOtherTensor": {
			// Every pod of a group runs one engine.
			spec: map[string]any{"model": model, "parallelism": par("data", 4, "dataLocal", 2), "template": gpus("2"),
				"worker": main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "-tp 2"}]`)},
			want: []string{"spec.worker.containers[main]: Forbidden", "the worker's vLLM flags set other parallelism (tensor 2", "than the leader's (tensor 1"},
		},
		// Managed DRA: the claim's devices are vLLM's GPUs.
		"ManagedDRABelowParallelism": {
			spec:        map[string]any{"model": model, "parallelism": par("tensor", 4)},
			annotations: dra(spec.AnnotationDRADeviceCount, "2"),
			want: []string{"metadata.annotations[serving.kserve.io/exp-dra-device-count]", `"2"`, "each pod claims 2 devices of DeviceClass gpu.nvidia.com for vLLM",
				"spec.parallelism needs 4 per pod", "set the annotation to 4"},
		},
		"ManagedDRAAboveParallelism": {
			spec:        map[string]any{"model": model},
			annotations: dra(spec.AnnotationDRADeviceCount, "2"),
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-count]", "needs 1 per pod"},
		},
		"ManagedDRAWorkerBelowParallelism": {
			spec:        map[string]any{"model": model, "parallelism": par("data", 16, "dataLocal", 8), "worker": map[string]any{}},
			annotations: dra(spec.AnnotationDRADeviceCount, "4"),
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-count]", "needs 8 per pod"},
		},
		"ManagedDRAAndGPULimit": {
			spec:        map[string]any{"model": model, "parallelism": par("tensor", 2), "template": gpus("2")},
			annotations: dra(spec.AnnotationDRADeviceCount, "2"),
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]: Forbidden", "gets its GPUs from the managed DRA claim (2 of DeviceClass gpu.nvidia.com",
				"would give it both: remove nvidia.com/gpu, or remove the annotation"},
		},
		"ManagedDRAAndGPURequestOnPrefill": {
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}},
				"prefill": map[string]any{"template": main(`"resources": {"requests": {"nvidia.com/gpu": "1"}}`)}},
			annotations: dra(),
			want:        []string{"spec.prefill.template.containers[main].resources.requests[nvidia.com/gpu]: Forbidden"},
		},
		"ManagedDRANoSuchContainer": {
			spec:        map[string]any{"model": model},
			annotations: dra(spec.AnnotationDRAContainerName, "gpu-sidecar"),
			want: []string{"metadata.annotations[serving.kserve.io/exp-dra-container-name]", `"gpu-sidecar"`, "names no container of the pods of spec.template, which has main",
				`remove the annotation to give the devices to vLLM's container "main"`},
		},
		"PickerPlainTextUnderIstio": {
			// The input's Istio DestinationRule has the gateway talk TLS.
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{"template": main(`"args": ["--v=2", "--secure-serving=false"]`)}}},
			cfg:  &istio,
			want: []string{"spec.router.scheduler.template.containers[main].args[1]", "--secure-serving is set by the function", "Istio DestinationRule"},
		},
		"GPUResourceFromInput": {
			spec: map[string]any{"model": model, "parallelism": par("tensor", 2), "template": gpus("2")},
			cfg:  &amd,
			want: []string{"spec.template.containers[main].resources.requests[amd.com/gpu]", "asks for no amd.com/gpu"},
		},
		"LabelOtherRole": {
			spec: map[string]any{"model": model, "labels": map[string]any{"llm-d.ai/role": "decode"}},
			want: []string{"spec.labels[llm-d.ai/role]", `Invalid value: "decode"`, `sets llm-d.ai/role on these pods to "both"`, "prefill and decode filters"},
		},
		"LabelOtherPrefillRole": {
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}},
				"prefill": map[string]any{"labels": map[string]any{"llm-d.ai/role": "decode"}}},
			want: []string{"spec.prefill.labels[llm-d.ai/role]", `to "prefill"`},
		},
		"LabelNotServing": {
			spec: map[string]any{"model": model, "labels": map[string]any{"kserve.io/component": "cache"}},
			want: []string{"spec.labels[kserve.io/component]", `Invalid value: "cache"`, "marks the pods that serve"},
		},
		"LabelOtherComponent": {
			spec: map[string]any{"model": model, "labels": map[string]any{"app.kubernetes.io/component": "inference"}},
			want: []string{"spec.labels[app.kubernetes.io/component]", `to "llminferenceservice-workload"`, "part of the workload's selector"},
		},
		"LabelsLeaveOwnPool": {
			// A service with a scheduler of its own whose pods say they
			// are another service's: its pool would select none of them.
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}},
				"labels": map[string]any{"app.kubernetes.io/name": "other"}},
			want: []string{"spec.labels[app.kubernetes.io/name]", `Invalid value: "other"`, "would leave the InferencePool this service composes", "selects app.kubernetes.io/name=llama"},
		},
		"LabelsLeaveOwnPoolPartOf": {
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}},
				"prefill": map[string]any{"labels": map[string]any{"app.kubernetes.io/part-of": "platform"}}},
			want: []string{"spec.prefill.labels[app.kubernetes.io/part-of]", "selects app.kubernetes.io/part-of=llminferenceservice"},
		},

		// Pod security and the API server's limits (podsecurity.go,
		// limits.go): checked on the built objects.
		"PodSecurityTokenizerPrivileged": {
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{
				"tokenizer": map[string]any{"template": main(`"securityContext": {"privileged": true}`)},
			}}},
			want: []string{"spec.router.scheduler.tokenizer.template.containers[main].securityContext.privileged: Forbidden", "the Pod Security baseline profile forbids it"},
		},
		"PodSecurityPrivileged": {
			spec: map[string]any{"model": model, "template": main(`"securityContext": {"privileged": true}`)},
			want: []string{"spec.template.containers[main].securityContext.privileged: Forbidden", "the Pod Security baseline profile forbids it",
				`check privileged: privileged, container "main" must not set securityContext.privileged=true`, "podSecurity.level: privileged in the Composition's Function input"},
		},
		"PodSecurityHostNetwork": {
			spec: map[string]any{"model": model, "template": map[string]any{"hostNetwork": true}},
			want: []string{"spec.template.hostNetwork: Forbidden", "check hostNamespaces: host namespaces, hostNetwork=true"},
		},
		"PodSecurityHostPath": {
			spec: map[string]any{"model": model, "template": map[string]any{"volumes": []any{map[string]any{"name": "models", "hostPath": map[string]any{"path": "/models"}}}}},
			want: []string{"spec.template.volumes[models]: Forbidden", `check hostPathVolumes: hostPath volumes, volume "models"`},
		},
		"PodSecurityIPCLock": {
			spec: map[string]any{"model": model, "template": main(`"securityContext": {"capabilities": {"add": ["IPC_LOCK"]}}`)},
			want: []string{"spec.template.containers[main].securityContext.capabilities.add: Forbidden", `check capabilities_baseline: non-default capabilities, container "main" must not include "IPC_LOCK"`,
				"remove IPC_LOCK from the template", "podSecurity.ipcLock: Enabled in the Composition's Function input"},
		},
		"PodSecurityCapabilityBesideIPCLock": {
			// IPC_LOCK is allowed; SYS_ADMIN is not.
			spec: map[string]any{"model": model, "template": main(`"securityContext": {"capabilities": {"add": ["IPC_LOCK", "SYS_ADMIN"]}}`)},
			cfg:  &ipcLock,
			want: []string{"spec.template.containers[main].securityContext.capabilities.add: Forbidden", `must not include "SYS_ADMIN" in securityContext.capabilities.add`, "podSecurity.level: privileged in the Composition's Function input"},
		},
		"PodSecurityRestrictedRoot": {
			// vLLM runs as root unless the input says otherwise.
			spec: map[string]any{"model": model},
			cfg:  &restricted,
			want: []string{"spec.template.containers[main].securityContext.runAsNonRoot: Forbidden", "the Pod Security restricted profile forbids it",
				"spec.template.initContainers[storage-initializer].securityContext.runAsNonRoot: Forbidden",
				"podSecurity.level: baseline", "modelServer.runAsUser"},
		},
		"PodSecurityRestrictedSeccomp": {
			spec: map[string]any{"model": model, "template": map[string]any{"securityContext": map[string]any{"seccompProfile": map[string]any{"type": "Unconfined"}}}},
			cfg:  &restrictedNonRoot,
			want: []string{"spec.template.securityContext.seccompProfile: Forbidden", "check seccompProfile_restricted"},
		},
		"PodSecurityWorker": {
			// Only the worker asks for it: the worker is named.
			spec: map[string]any{"model": model, "parallelism": par("data", 16, "dataLocal", 8), "template": gpus("8"),
				"worker": main(`"securityContext": {"privileged": true}`)},
			want: []string{"spec.worker.containers[main].securityContext.privileged: Forbidden"},
		},
		"PodSecurityLeaderAndWorker": {
			// The worker is the template with spec.worker merged over
			// it: what both carry is named once, in the template.
			spec: map[string]any{"model": model, "parallelism": par("data", 16, "dataLocal", 8),
				"template": main(`"securityContext": {"privileged": true}, "resources": {"limits": {"nvidia.com/gpu": "8"}}`), "worker": map[string]any{}},
			want: []string{"spec.template.containers[main].securityContext.privileged: Forbidden"},
			not:  []string{"spec.worker"},
		},
		"PodSecurityPrefill": {
			spec: map[string]any{"model": model, "prefill": map[string]any{"template": map[string]any{"hostPID": true}}},
			want: []string{"spec.prefill.template.hostPID: Forbidden"},
		},
		"PodSecurityPicker": {
			spec: map[string]any{"model": model, "router": map[string]any{"route": map[string]any{}, "gateway": map[string]any{}, "scheduler": map[string]any{
				"template": main(`"ports": [{"containerPort": 9002, "hostPort": 9002}]`)}}},
			want: []string{"spec.router.scheduler.template.containers[main].ports: Forbidden", "check hostPorts"},
		},
		"AnnotationsOverAPIServerLimit": {
			// 300 KB of pod annotations: the API server refuses the
			// Deployment.
			spec: map[string]any{"model": model, "annotations": map[string]any{"example.com/big": strings.Repeat("x", 300*1024)}},
			want: []string{"spec.annotations: Too long", "the pods of Deployment llama-workload would carry 307215 bytes of annotations",
				"more than the 262144 the API server accepts", "shorten spec.annotations"},
		},
		"PrefillAnnotationsOverAPIServerLimit": {
			spec: map[string]any{"model": model, "prefill": map[string]any{"annotations": map[string]any{"example.com/big": strings.Repeat("x", 300*1024)}}},
			want: []string{"spec.prefill.annotations: Too long"},
		},
		"InputAnnotationsOverAPIServerLimit": {
			spec: map[string]any{"model": model},
			cfg:  &bigAnnotations,
			want: []string{"Deployment[llama-workload].metadata.annotations: Too long", "Service[llama-workload].metadata.annotations: Too long", "shorten the Function input's annotations"},
		},
		"LabelValueOverAPIServerLimit": {
			// spec.Validate refuses it first; Build never composes it.
			spec: map[string]any{"model": model, "labels": map[string]any{"team": strings.Repeat("a", 64)}},
			want: []string{"spec.labels[team]: Invalid value", "must be no more than 63 bytes", "carried onto the pods of Deployment llama-workload"},
		},
		"ObjectOverEtcdLimit": {
			spec: map[string]any{"model": model, "template": main(`"env": [{"name": "PROMPT", "value": "` + strings.Repeat("x", 900*1024) + `"}]`)},
			want: []string{"spec.template: Too long", "Deployment llama-workload would be", "more than the 819200 an object may be", "shorten spec.template (env, args, volumes)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.cfg != nil {
				cfg = *tc.cfg
			}
			svc := decodeWith(t, cfg, tc.spec)
			svc.Annotations = tc.annotations
			res, errs := Build(svc, cfg)
			if res != nil {
				t.Errorf("Build composed %d objects next to errors", len(res.Objects))
			}
			got := errs.ToAggregate()
			if got == nil {
				t.Fatalf("Build: want an error mentioning %q, got none", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("the errors do not mention %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got.Error(), n) {
					t.Errorf("the errors mention %q:\n%s", n, got)
				}
			}
		})
	}
}
