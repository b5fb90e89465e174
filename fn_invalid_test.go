package main

import (
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// invalidXR is a namespaced XR with spec as its whole spec.
func invalidXR(spec string) string {
	return `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
	  "metadata": {"name": "m", "namespace": "ns"}, "spec": ` + spec + `}`
}

// invalidInput is a Function input with fields as its body.
func invalidInput(fields string) string {
	return `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", ` + fields + `}`
}

// TestRunFunctionRefusesInvalid runs whole RunFunction calls on specs and
// Function inputs that must be refused. A refusal is a Fatal result, so
// Crossplane applies and deletes nothing and running workloads survive a
// bad update; its message is all the user sees, on the XR's events and
// conditions, so each case pins the field path and what is wrong with it.
func TestRunFunctionRefusesInvalid(t *testing.T) {
	// gpus is a template whose main container asks for n GPUs.
	gpus := func(n string) string {
		return `{"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "` + n + `"}}}]}`
	}
	// main is a template with one main container of the given fields.
	main := func(fields string) string {
		return `{"containers": [{"name": "main", ` + fields + `}]}`
	}
	const model = `"model": {"uri": "hf://o/m"}`

	cases := map[string]struct {
		xr    string
		input string
		want  []string
	}{
		// The XR itself.
		"NoSpec": {
			xr:   `{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m", "namespace": "ns"}}`,
			want: []string{"the composite resource has no spec"},
		},
		"ClusterScopedNoNamespace": {
			xr:   `{"apiVersion": "a/v1", "kind": "X", "metadata": {"name": "m"}, "spec": {` + model + `}}`,
			want: []string{"cannot determine the namespace", "the Function input sets no namespace"},
		},
		"SpecWrongType": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "replicas": "three"}`),
			want: []string{"spec.replicas", `"three"`, "must be an integer"},
		},

		// spec.model
		"ModelMissingURI": {
			xr:   invalidXR(`{"model": {}}`),
			want: []string{"spec.model.uri: Required value", "the model's location"},
		},
		"ModelNotAURI": {
			xr:   invalidXR(`{"model": {"uri": "meta-llama/Llama-3.1-8B"}}`),
			want: []string{"spec.model.uri", "not a URI", "hf://, s3://, pvc:// or oci://"},
		},
		"ModelUnknownScheme": {
			xr:   invalidXR(`{"model": {"uri": "gs://bucket/model"}}`),
			want: []string{"spec.model.uri", `unsupported scheme "gs"`},
		},
		"ModelHFNoRepository": {
			xr:   invalidXR(`{"model": {"uri": "hf:///model"}}`),
			want: []string{"spec.model.uri", "hf:// URI needs a repository"},
		},
		"ModelS3NoBucket": {
			xr:   invalidXR(`{"model": {"uri": "s3://"}}`),
			want: []string{"spec.model.uri", "s3:// URI needs a bucket"},
		},
		"ModelPVCNoClaim": {
			xr:   invalidXR(`{"model": {"uri": "pvc:///models/llama"}}`),
			want: []string{"spec.model.uri", "pvc:// URI needs a claim name"},
		},
		"ModelPVCBadClaim": {
			xr:   invalidXR(`{"model": {"uri": "pvc://Model_Store/llama"}}`),
			want: []string{"spec.model.uri", `claim name "Model_Store" in pvc:// URI is not a valid object name`},
		},
		"ModelPVCParentPath": {
			xr:   invalidXR(`{"model": {"uri": "pvc://models/../etc"}}`),
			want: []string{"spec.model.uri", "must not contain '..'"},
		},
		"ModelOCINoImage": {
			xr:   invalidXR(`{"model": {"uri": "oci://"}}`),
			want: []string{"spec.model.uri", "oci:// URI needs an image reference"},
		},
		"ModelEmptyName": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "name": " "}}`),
			want: []string{"spec.model.name", "must not be empty when set"},
		},
		"ModelUnknownCriticality": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "criticality": "Urgent"}, "router": {"scheduler": {}}}`),
			want: []string{"spec.model.criticality", `Unsupported value: "Urgent"`, `"Critical"`},
		},
		"LoRADuplicateName": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "hf://o/a"}, {"name": "a", "uri": "hf://o/b"}]}}}`),
			want: []string{"spec.model.lora.adapters[1].name", `Duplicate value: "a"`},
		},
		"LoRAMissingName": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"uri": "hf://o/a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].name: Required value", "served under their name"},
		},
		"LoRANameWithSlash": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "sql/v2", "uri": "hf://o/a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].name", "lower case alphanumerics"},
		},
		"LoRAMaxRankZero": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"maxRank": 0, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`),
			want: []string{"spec.model.lora.maxRank", "must be at least 1"},
		},
		"LoRANameTooLong": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "` + strings.Repeat("a", 64) + `", "uri": "hf://o/a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].name", "at most 63"},
		},
		"CriticalityUnknown": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "criticality": "Urgent"}}`),
			want: []string{"spec.model.criticality", `"Urgent"`, "Critical"},
		},
		"APIKeyInline": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "template": {"containers": [{"name": "main", "env": [{"name": "VLLM_API_KEY", "value": "k"}]}]}}`),
			want: []string{"env[VLLM_API_KEY].value", "by reference"},
		},
		"APIKeyArg": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "template": {"containers": [{"name": "main", "args": ["--api-key=k"]}]}}`),
			want: []string{"spec.template.containers[main].args[0]", "--api-key", "VLLM_API_KEY"},
		},
		"SchedulerTemplateCredential": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "router": {"scheduler": {"template": {"containers": [{"name": "main", "env": [{"name": "HF_TOKEN", "value": "x"}]}]}}}}`),
			want: []string{"spec.router.scheduler.template.containers[main].env[HF_TOKEN].value", "by reference"},
		},
		"GatewayRefEmptyName": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "router": {"gateway": {"refs": [{"name": ""}]}, "route": {}}}`),
			want: []string{"spec.router.gateway.refs[0].name", "Required value"},
		},
		"GatewayRefBadNamespace": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "router": {"gateway": {"refs": [{"name": "g", "namespace": "Bad_NS"}]}, "route": {}}}`),
			want: []string{"spec.router.gateway.refs[0].namespace", `"Bad_NS"`},
		},
		"RouteRefEmptyName": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"refs": [{"name": ""}]}}}}`),
			want: []string{"spec.router.route.http.refs[0].name", "Required value"},
		},
		"PoolRefEmptyName": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "router": {"scheduler": {"pool": {"ref": {}}}}}`),
			want: []string{"spec.router.scheduler.pool.ref.name", "Required value"},
		},
		"PoolSelectorBadLabel": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m"}, "router": {"scheduler": {"pool": {"spec": {"selector": {"bad key!": "v"}}}}}}`),
			want: []string{"spec.router.scheduler.pool.spec.selector[bad key!]"},
		},
		"LoRANameUpperCase": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "SQL", "uri": "hf://o/a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].name", "lower case alphanumerics"},
		},
		"LoRAFromOCI": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "oci://r/a:1"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].uri", "not oci://"},
		},
		"LoRASameNameAsModel": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "name": "llama", "lora": {"adapters": [{"name": "llama", "uri": "hf://o/a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].name", "must differ from the base model's name"},
		},
		"LoRAMissingURI": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].uri: Required value"},
		},
		"LoRAUnknownScheme": {
			xr:   invalidXR(`{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "ftp://h/a"}]}}}`),
			want: []string{"spec.model.lora.adapters[0].uri", `unsupported scheme "ftp"`},
		},

		// spec.replicas and spec.parallelism
		"NegativeReplicas": {
			xr:   invalidXR(`{` + model + `, "replicas": -1}`),
			want: []string{"spec.replicas", "must be 0 or more"},
		},
		"TensorZero": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"tensor": 0}}`),
			want: []string{"spec.parallelism.tensor: Invalid value: 0", "must be greater than 0"},
		},
		"PipelineNegative": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"pipeline": -2}}`),
			want: []string{"spec.parallelism.pipeline: Invalid value: -2", "must be greater than 0"},
		},
		"DataLocalZero": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 2, "dataLocal": 0}}`),
			want: []string{"spec.parallelism.dataLocal: Invalid value: 0", "must be greater than 0"},
		},
		"PipelineAndData": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"pipeline": 2, "data": 2, "dataLocal": 2}}`),
			want: []string{"spec.parallelism: Forbidden", "cannot set both pipeline parallelism and data parallelism"},
		},
		"DataWithoutDataLocal": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 2}}`),
			want: []string{"spec.parallelism.dataLocal: Required value", "dataLocal must be set when data is set"},
		},
		"DataLocalWithoutData": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"dataLocal": 2}}`),
			want: []string{"spec.parallelism.data: Required value", "data must be set when dataLocal is set"},
		},
		"DataNotMultipleOfDataLocal": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 10, "dataLocal": 4}, "worker": {}, "template": ` + gpus("4") + `}`),
			want: []string{"spec.parallelism.data: Invalid value: 10", "must be a multiple of dataLocal (4)"},
		},
		"DataEqualsDataLocalWithWorker": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 4, "dataLocal": 4}, "worker": {}, "template": ` + gpus("4") + `}`),
			want: []string{"spec.parallelism.data: Invalid value: 4", "equals dataLocal", "spec.worker has nothing to run"},
		},
		"DataAboveDataLocalWithoutWorker": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 8, "dataLocal": 4}, "template": ` + gpus("4") + `}`),
			want: []string{"spec.parallelism.data: Invalid value: 8", "without spec.worker all data parallel ranks run in one pod", "add spec.worker"},
		},
		"DataRPCPortWithoutData": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"dataRPCPort": 6000}}`),
			want: []string{"spec.parallelism.dataRPCPort: Invalid value: 6000", "no effect without data parallelism"},
		},
		"DataRPCPortOutOfRange": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 2, "dataLocal": 2, "dataRPCPort": 70000}, "template": ` + gpus("2") + `}`),
			want: []string{"spec.parallelism.dataRPCPort: Invalid value: 70000", "must be a port number between 1 and 65535"},
		},
		"WorkerWithoutParallelism": {
			xr:   invalidXR(`{` + model + `, "worker": {}}`),
			want: []string{"spec.parallelism: Required value", "when worker is specified, parallelism must be configured"},
		},
		"PipelineOneWithWorker": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"pipeline": 1}, "worker": {}}`),
			want: []string{"spec.parallelism.pipeline: Invalid value: 1", "pipeline must be at least 2"},
		},
		"PrefillTensorZero": {
			xr:   invalidXR(`{` + model + `, "prefill": {"parallelism": {"tensor": 0}}}`),
			want: []string{"spec.prefill.parallelism.tensor: Invalid value: 0"},
		},

		// GPUs
		"GPUsBelowParallelism": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"tensor": 2}, "template": ` + gpus("1") + `}`),
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 1 nvidia.com/gpu", "needs 2 per pod (tensor 2 × pipeline 1 × dataLocal 1)"},
		},
		"GPUsAboveParallelism": {
			xr:   invalidXR(`{` + model + `, "template": ` + gpus("2") + `}`),
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "asks for 2 nvidia.com/gpu", "needs 1 per pod"},
		},
		"GPURequestsNotLimits": {
			xr:   invalidXR(`{` + model + `, "template": ` + main(`"resources": {"requests": {"nvidia.com/gpu": "2"}, "limits": {"nvidia.com/gpu": "1"}}`) + `}`),
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "GPU requests (2) and limits (1) must be equal"},
		},
		"GPUsFractional": {
			xr:   invalidXR(`{` + model + `, "template": ` + gpus("500m") + `}`),
			want: []string{"spec.template.containers[main].resources.limits[nvidia.com/gpu]", "GPUs must be a whole number"},
		},
		"GPUsMissingWithTensor": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"tensor": 4}}`),
			want: []string{"spec.template.containers[main].resources.requests[nvidia.com/gpu]: Required value", "spec.parallelism needs 4 GPUs per pod", "asks for no nvidia.com/gpu"},
		},
		"GPURequestsOnlyMismatch": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"tensor": 2}, "template": ` + main(`"resources": {"requests": {"nvidia.com/gpu": "1"}}`) + `}`),
			want: []string{"spec.template.containers[main].resources.requests[nvidia.com/gpu]", "asks for 1"},
		},
		"WorkerGPUMismatch": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 16, "dataLocal": 8}, "template": ` + gpus("8") + `, "worker": ` + gpus("4") + `}`),
			want: []string{"spec.worker.containers[main].resources.limits[nvidia.com/gpu]", "asks for 4", "needs 8 per pod"},
		},
		"PrefillGPUMismatch": {
			xr:   invalidXR(`{` + model + `, "prefill": {"parallelism": {"tensor": 2}, "template": ` + gpus("1") + `}}`),
			want: []string{"spec.prefill.template.containers[main].resources.limits[nvidia.com/gpu]", "spec.prefill.parallelism needs 2"},
		},
		"GPUResourceFromInput": {
			xr:    invalidXR(`{` + model + `, "parallelism": {"tensor": 2}, "template": ` + gpus("2") + `}`),
			input: invalidInput(`"modelServer": {"gpuResourceName": "amd.com/gpu"}`),
			want:  []string{"spec.template.containers[main].resources.requests[amd.com/gpu]", "asks for no amd.com/gpu"},
		},

		// Pod templates
		"TemplateFieldTypo": {
			xr:   invalidXR(`{` + model + `, "template": {"containers": [{"name": "main", "imagePullPolicyy": "Always"}]}}`),
			want: []string{"spec.template.containers[0].imagePullPolicyy", "not a field of a pod spec"},
		},
		"TemplatePodFieldTypo": {
			xr:   invalidXR(`{` + model + `, "template": {"nodeSelecter": {"gpu": "h100"}}}`),
			want: []string{"spec.template.nodeSelecter", "not a field of a pod spec"},
		},
		"TemplateWrongType": {
			xr:   invalidXR(`{` + model + `, "template": {"containers": {"name": "main"}}}`),
			want: []string{"spec.template.containers", "must be a list"},
		},
		"TemplateContainerWithoutName": {
			xr: invalidXR(`{` + model + `, "template": {"containers": [{"image": "vllm/vllm-openai:latest"}]}}`),
			// The layers of configuration are merged by container name,
			// so every layer is checked for names before the merge.
			want: []string{"spec.template.containers[0].name: Required value", "merged across layers of configuration by name"},
		},
		"TemplateVolumeWithoutName": {
			xr:   invalidXR(`{` + model + `, "template": {"volumes": [{"emptyDir": {}}]}}`),
			want: []string{"spec.template.volumes[0].name: Required value"},
		},
		"TemplatePatchDirective": {
			xr:   invalidXR(`{` + model + `, "template": {"containers": [{"name": "main", "$patch": "delete"}]}}`),
			want: []string{"spec.template.containers[0].$patch", "strategic-merge directives are not part of the API"},
		},
		"BasePresetWithoutName": {
			xr:    invalidXR(`{` + model + `, "baseRefs": [{"name": "p"}]}`),
			input: `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "presets": {"p": {"template": {"containers": [{"image": "x"}]}}}}`,
			want:  []string{"input.presets[p].template.containers[0].name: Required value"},
		},
		"WorkerFieldTypo": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": {"containers": [{"name": "main", "envv": []}]}}`),
			want: []string{"spec.worker.containers[0].envv", "not a field of a pod spec"},
		},
		"PrefillTemplateFieldTypo": {
			xr:   invalidXR(`{` + model + `, "prefill": {"template": {"tolerationz": []}}}`),
			want: []string{"spec.prefill.template.tolerationz", "not a field of a pod spec"},
		},
		"ReservedPort": {
			xr:   invalidXR(`{` + model + `, "template": ` + main(`"args": ["--port=9000"]`) + `}`),
			want: []string{"spec.template.containers[main].args[0]", "--port is set by the function", "fixed at 8000"},
		},
		"ReservedServedModelName": {
			xr:   invalidXR(`{` + model + `, "template": ` + main(`"args": ["--max-model-len=8192", "--served-model-name", "x"]`) + `}`),
			want: []string{"spec.template.containers[main].args[1]", "--served-model-name is set by the function", "set spec.model.name"},
		},
		"ReservedTensorShortFlag": {
			xr:   invalidXR(`{` + model + `, "template": ` + main(`"args": ["-tp=2"]`) + `}`),
			want: []string{"spec.template.containers[main].args[0]", "-tp is set by the function", "set spec.parallelism.tensor"},
		},
		"ReservedStartRank": {
			xr:   invalidXR(`{` + model + `, "template": ` + main(`"args": ["--data-parallel-start-rank=3"]`) + `}`),
			want: []string{"spec.template.containers[main].args[0]", "--data-parallel-start-rank", "computes each pod's first rank"},
		},
		"ReservedInWorker": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": ` + main(`"args": ["--headless"]`) + `}`),
			want: []string{"spec.worker.containers[main].args[0]", "--headless is set by the function"},
		},
		"InlineHFToken": {
			xr:   invalidXR(`{` + model + `, "template": ` + main(`"env": [{"name": "HF_TOKEN", "value": "hf_x"}]`) + `}`),
			want: []string{"spec.template.containers[main].env[HF_TOKEN].value: Forbidden", "by reference", "never inline"},
		},
		"InlineAWSSecretOnDownload": {
			xr: invalidXR(`{"model": {"uri": "s3://models/llama"}, "template": {"initContainers": [{"name": "storage-initializer",
			  "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "k"}]}]}}`),
			want: []string{"spec.template.initContainers[storage-initializer].env[AWS_SECRET_ACCESS_KEY].value: Forbidden", "by reference"},
		},
		"InlineTokenOnWorker": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": ` + main(`"env": [{"name": "HUGGING_FACE_HUB_TOKEN", "value": "hf_x"}]`) + `}`),
			want: []string{"spec.worker.containers[main].env[HUGGING_FACE_HUB_TOKEN].value: Forbidden"},
		},
		"InlineTokenOnPrefill": {
			xr:   invalidXR(`{` + model + `, "prefill": {"template": ` + main(`"env": [{"name": "AWS_SESSION_TOKEN", "value": "t"}]`) + `}}`),
			want: []string{"spec.prefill.template.containers[main].env[AWS_SESSION_TOKEN].value: Forbidden"},
		},
		"CommandOnMultiNode": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "worker": {}, "template": ` + main(`"command": ["python3", "-m", "vllm.entrypoints.openai.api_server"], "resources": {"limits": {"nvidia.com/gpu": "2"}}`) + `}`),
			want: []string{"spec.template.containers[main].command: Forbidden", "launcher that computes each pod's ranks"},
		},
		"ArgsOnPipelineWorker": {
			xr:   invalidXR(`{` + model + `, "parallelism": {"pipeline": 2, "tensor": 8}, "template": ` + gpus("8") + `, "worker": ` + main(`"args": ["--max-model-len=8192"]`) + `}`),
			want: []string{"spec.worker.containers[main].args: Forbidden", "run a Ray worker", "spec.template.containers[main].args"},
		},

		// spec.router
		"RouteRefsAndSpec": {
			xr:   invalidXR(`{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"refs": [{"name": "r"}], "spec": {"hostnames": ["a.example.com"]}}}}}`),
			want: []string{"spec.router.route.http: Forbidden", "cannot use both custom HTTPRoute refs"},
		},
		"RouteRefsWithManagedGateway": {
			xr:   invalidXR(`{` + model + `, "router": {"gateway": {}, "route": {"http": {"refs": [{"name": "r"}]}}}}`),
			want: []string{"spec.router.gateway: Forbidden", "cannot be used with a managed gateway"},
		},
		"ManagedRouteWithoutGateway": {
			xr:   invalidXR(`{` + model + `, "router": {"route": {}}}`),
			want: []string{"spec.router.gateway: Required value", "needs a Gateway to attach to"},
		},
		"RouteParentsWithManagedGateway": {
			xr:   invalidXR(`{` + model + `, "router": {"gateway": {}, "route": {"http": {"spec": {"parentRefs": [{"name": "other"}]}}}}}`),
			want: []string{"spec.router.route.http.spec.parentRefs: Forbidden", "attaches to the managed Gateway"},
		},
		"RouteParentsContradictGatewayRefs": {
			xr:   invalidXR(`{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"spec": {"parentRefs": [{"name": "other"}]}}}}}`),
			want: []string{"spec.router.route.http.spec.parentRefs: Forbidden", "conflict with the custom gateway refs"},
		},
		"SchedulerReplicasZero": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"replicas": 0}}}`),
			want: []string{"spec.router.scheduler.replicas: Invalid value: 0", "greater than zero"},
		},
		"PoolSpecAndRef": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"pool": {"ref": {"name": "p"}, "spec": {"targetPortNumber": 8000}}}}}`),
			want: []string{"spec.router.scheduler.pool: Forbidden", "spec and ref are mutually exclusive"},
		},
		"PoolTargetPortOutOfRange": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPortNumber": 0}}}}}`),
			want: []string{"spec.router.scheduler.pool.spec.targetPortNumber: Invalid value: 0", "must be a port number between 1 and 65535"},
		},
		"PoolUnknownFailureMode": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"pool": {"spec": {"extensionRef": {"failureMode": "Sometimes"}}}}}}`),
			want: []string{"spec.router.scheduler.pool.spec.extensionRef.failureMode", `Unsupported value: "Sometimes"`},
		},
		"ConfigInlineAndRef": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {"inline": {"plugins": []}, "ref": {"name": "cm"}}}}}`),
			want: []string{"spec.router.scheduler.config", "either inline or ref is required, not both"},
		},
		"ConfigNeitherInlineNorRef": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {}}}}`),
			want: []string{"spec.router.scheduler.config", "either inline or ref is required, not both"},
		},
		"InlineConfigWrongKind": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {"inline": {"kind": "ConfigMap"}}}}}`),
			want: []string{"spec.router.scheduler.config.inline", "kind must be EndpointPickerConfig"},
		},
		"InlineConfigNotAnObject": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {"inline": ["queue-scorer"]}}}}`),
			want: []string{"spec.router.scheduler.config.inline", "must be an EndpointPickerConfig object", "not a list"},
		},
		"InlineConfigBadAPIVersion": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {"inline": {"apiVersion": 1}}}}}`),
			want: []string{"spec.router.scheduler.config.inline", "apiVersion must be a group/version string"},
		},
		"ConfigRefWithoutName": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {"ref": {"key": "epp"}}}}}`),
			want: []string{"spec.router.scheduler.config.ref.name: Required value"},
		},
		"ConfigRefBadKey": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"config": {"ref": {"name": "cm", "key": "a/b"}}}}}`),
			want: []string{"spec.router.scheduler.config.ref.key", `Invalid value: "a/b"`},
		},
		"PickerReservedFlag": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--pool-name=other"]}]}}}}`),
			want: []string{"spec.router.scheduler.template.containers[main].args[0]", "--pool-name is set by the function"},
		},
		"PickerReservedFlagOneDash": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["-v=2", "-config-file", "/x"]}]}}}}`),
			want: []string{"spec.router.scheduler.template.containers[main].args[1]", "--config-file is set by the function"},
		},
		"InputPickerReservedFlag": {
			xr:    invalidXR(`{` + model + `, "router": {"scheduler": {}}}`),
			input: invalidInput(`"router": {"scheduler": {"extraArgs": ["--zap-log-level=debug", "--grpc-port=9100"]}}`),
			want:  []string{"invalid Function input", "input.router.scheduler.extraArgs[1]", "--grpc-port is set by the function"},
		},
		"PickerTemplateTypo": {
			xr:   invalidXR(`{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "resourcez": {}}]}}}}`),
			want: []string{"spec.router.scheduler.template.containers[0].resourcez", "not a field of a pod spec"},
		},

		// spec.labels
		"LabelKeyInvalid": {
			xr:   invalidXR(`{` + model + `, "labels": {"-team": "a"}}`),
			want: []string{"spec.labels[-team]", "name part must consist of alphanumeric characters"},
		},
		"LabelValueInvalid": {
			xr:   invalidXR(`{` + model + `, "labels": {"team": "search and rescue"}}`),
			want: []string{"spec.labels[team]", `Invalid value: "search and rescue"`, "a valid label must be"},
		},
		"PrefillLabelInvalid": {
			xr:   invalidXR(`{` + model + `, "prefill": {"labels": {"example.com/": "x"}}}`),
			want: []string{"spec.prefill.labels[example.com/]", "name part must be non-empty"},
		},

		// spec.baseRefs
		"BaseRefWithoutName": {
			xr:   invalidXR(`{` + model + `, "baseRefs": [{}]}`),
			want: []string{"spec.baseRefs[0].name: Required value"},
		},

		// The Function input
		"InputUnknownField": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"imagez": {}`),
			want:  []string{"cannot get Function input", "imagez"},
		},
		"InputUnknownProvider": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"router": {"provider": "Linkerd"}`),
			want:  []string{"invalid Function input", "input.router.provider", `Unsupported value: "Linkerd"`},
		},
		"InputUnknownFailureMode": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"router": {"scheduler": {"failureMode": "FailSometimes"}}`),
			want:  []string{"input.router.scheduler.failureMode", `Unsupported value: "FailSometimes"`},
		},
		"InputBadGatewayClass": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"router": {"gateway": {"className": "Istio_GW"}}`),
			want:  []string{"input.router.gateway.className", `Invalid value: "Istio_GW"`},
		},
		"InputNegativeSharedMemory": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"modelServer": {"sharedMemorySize": "-1Gi"}`),
			want:  []string{"input.modelServer.sharedMemorySize", "must be positive"},
		},
		"InputStartupTimeoutTooShort": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"modelServer": {"startupTimeout": "5s"}`),
			want:  []string{"input.modelServer.startupTimeout", "must be at least 10s"},
		},
		"InputRunAsRoot": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"modelServer": {"runAsUser": 0}`),
			want:  []string{"input.modelServer.runAsUser", "must be a non-root user ID"},
		},
		"InputHFTokenRefWithoutKey": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"storage": {"hfTokenSecretRef": {"name": "hf"}}`),
			want:  []string{"input.storage.hfTokenSecretRef: Required value", "name and key of the Secret"},
		},
		"InputS3RefWithoutName": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"storage": {"s3CredentialsSecretRef": {}}`),
			want:  []string{"input.storage.s3CredentialsSecretRef.name: Required value"},
		},
		"InputUnknownOCIMode": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"storage": {"oci": "Copy"}`),
			want:  []string{"input.storage.oci", `Unsupported value: "Copy"`},
		},
		"InputBadNamespace": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"namespace": "Team_A"`),
			want:  []string{"input.namespace", `Invalid value: "Team_A"`},
		},
		"InputBadLabel": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"labels": {"team": "a b"}`),
			want:  []string{"input.labels[team]", `Invalid value: "a b"`},
		},
		"InputZeroTTL": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"readyTTL": "0s"`),
			want:  []string{"input.readyTTL", "readyTTL and unreadyTTL must be positive"},
		},
		"InputPresetNotAnObject": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"presets": {"h100": "tensor: 4"}`),
			want:  []string{"input.presets[h100]", "must be an LLMInferenceService spec fragment (an object)"},
		},
		"InputPresetWithBaseRefs": {
			xr:    invalidXR(`{` + model + `}`),
			input: invalidInput(`"presets": {"h100": {"baseRefs": [{"name": "other"}]}}`),
			want:  []string{"input.presets[h100].baseRefs: Forbidden", "cannot name base configurations itself"},
		},
	}

	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), newRequest(tc.xr, nil, tc.input))
			if err != nil {
				t.Fatalf("RunFunction returned an error, want a Fatal result: %v", err)
			}
			var fatal []string
			for _, r := range rsp.GetResults() {
				if r.GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
					fatal = append(fatal, r.GetMessage())
				}
			}
			if len(fatal) != 1 {
				t.Fatalf("want exactly one Fatal result, got %d: %q", len(fatal), fatal)
			}
			if strings.Contains(fatal[0], errPanic) {
				t.Fatalf("the function panicked: %s", fatal[0])
			}
			for _, w := range tc.want {
				if !strings.Contains(fatal[0], w) {
					t.Errorf("the Fatal result does not mention %q:\n%s", w, fatal[0])
				}
			}
			// A refusal composes nothing: half a desired state must
			// never be passed on.
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Errorf("a Fatal response desires %d resources, want none", n)
			}
		})
	}
	if len(cases) < 40 {
		t.Errorf("issue 7 asks for at least 40 invalid specs, the table has %d", len(cases))
	}
}
