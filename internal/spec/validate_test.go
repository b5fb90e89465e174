package spec

import (
	"strings"
	"testing"
)

// TestValidate is the table of every rule spec.Validate owns. A refusal
// reaches the user as the Fatal result's message, on the XR's events and
// conditions, so each case pins the field path and what is wrong with it;
// the cases without want are specs that must pass, so that no rule refuses
// more than it means to.
func TestValidate(t *testing.T) {
	// gpus is a template whose main container asks for n GPUs.
	gpus := func(n string) string {
		return `{"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "` + n + `"}}}]}`
	}
	// main is a template with one main container of the given fields.
	main := func(fields string) string {
		return `{"containers": [{"name": "main", ` + fields + `}]}`
	}
	const model = `"model": {"uri": "hf://o/m"}`

	const (
		lora       = `"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "hf://o/a"}, {"name": "b", "uri": "hf://o/b", "criticality": "Standard"}]}}`
		modelAnn   = AnnotationModelCriticality
		loraAnn    = AnnotationLoRACriticalities
		kvEmptyDir = `{"fileSystem": {"emptyDir": {"size": "100Gi"}}}`
	)

	cases := map[string]struct {
		spec string
		// annotations are the XR's.
		annotations map[string]string
		// emptyGatewayIsPlatform is the Function input's
		// router.gateway.whenEmpty: Platform.
		emptyGatewayIsPlatform bool
		// authentication is the Function input's router.authentication,
		// and optOutForbidden its serviceOptOut: Disabled.
		authentication, optOutForbidden bool
		// pickerConfigRef is what the plan read for config.ref.
		pickerConfigRef string
		want            []string
	}{
		// spec.model
		"ModelMissingURI": {
			spec: `{"model": {}}`,
			want: []string{"spec.model.uri: Required value", "the model's location"},
		},
		"ModelNotAURI": {
			spec: `{"model": {"uri": "meta-llama/Llama-3.1-8B"}}`,
			want: []string{"spec.model.uri", "not a URI", "hf://, s3://, pvc:// or oci://"},
		},
		"ModelUnknownScheme": {
			spec: `{"model": {"uri": "gs://bucket/model"}}`,
			want: []string{"spec.model.uri", `unsupported scheme "gs"`},
		},
		"ModelHFNoRepository": {
			spec: `{"model": {"uri": "hf:///model"}}`,
			want: []string{"spec.model.uri", "hf:// URI needs a repository"},
		},
		"ModelS3NoBucket": {
			spec: `{"model": {"uri": "s3://"}}`,
			want: []string{"spec.model.uri", "s3:// URI needs a bucket"},
		},
		"ModelPVCNoClaim": {
			spec: `{"model": {"uri": "pvc:///models/llama"}}`,
			want: []string{"spec.model.uri", "pvc:// URI needs a claim name"},
		},
		"ModelPVCBadClaim": {
			spec: `{"model": {"uri": "pvc://Model_Store/llama"}}`,
			want: []string{"spec.model.uri", `claim name "Model_Store" in pvc:// URI is not a valid object name`},
		},
		"ModelPVCParentPath": {
			spec: `{"model": {"uri": "pvc://models/../etc"}}`,
			want: []string{"spec.model.uri", "must not contain '..'"},
		},
		"ModelOCINoImage": {
			spec: `{"model": {"uri": "oci://"}}`,
			want: []string{"spec.model.uri", "oci:// URI needs an image reference"},
		},
		"ModelEmptyName": {
			spec: `{"model": {"uri": "hf://o/m", "name": " "}}`,
			want: []string{"spec.model.name", "must not be empty when set"},
		},
		"ModelNameNotAPath": {
			spec: `{"model": {"uri": "hf://o/m", "name": "llama 3"}, "router": {"route": {}, "gateway": {}}}`,
			want: []string{"spec.model.name", `"llama 3"`, "publisher path /publishers/ns/models/llama 3", "has characters a path may not", "spec.router.route.http.spec.rules"},
		},
		"ModelNameTrailingSlash": {
			spec: `{"model": {"uri": "hf://o/m", "name": "org/llama/"}, "router": {"route": {}, "gateway": {}, "scheduler": {}}}`,
			want: []string{"spec.model.name", `publisher path /publishers/ns/models/org/llama//v1/completions`, `contains "//"`},
		},
		"ModelNameTrailingSlashWithoutScheduler": {
			// The publisher path is one rule then, and its prefix,
			// /publishers/ns/models/org/llama/, is a path Gateway API takes.
			spec: `{"model": {"uri": "hf://o/m", "name": "org/llama/"}, "router": {"route": {}, "gateway": {}}}`,
		},
		"ModelNameDotSegment": {
			spec: `{"model": {"uri": "hf://o/m", "name": "org/../llama"}, "router": {"route": {}, "gateway": {}}}`,
			want: []string{"spec.model.name", `contains "/../"`},
		},
		"ModelNameWithSlashes": {
			spec: `{"model": {"uri": "hf://o/m", "name": "ibm-granite/granite-3.3-8b-instruct"}, "router": {"route": {}, "gateway": {}}}`,
		},
		"ModelNameNotAPathWithoutRoute": {
			spec: `{"model": {"uri": "hf://o/m", "name": "llama 3"}}`,
		},
		"ModelNameNotAPathOwnRules": {
			spec: `{"model": {"uri": "hf://o/m", "name": "llama 3"}, "router": {"gateway": {}, "route": {"http": {"spec": {"rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/llama"}}]}]}}}}}`,
		},
		"ModelUnknownCriticality": {
			spec: `{"model": {"uri": "hf://o/m", "criticality": "Urgent"}, "router": {"scheduler": {}}}`,
			want: []string{"spec.model.criticality", `Unsupported value: "Urgent"`, `supported values: "Critical", "Standard", "Sheddable"`},
		},
		"CriticalityWithoutScheduler": {
			spec: `{"model": {"uri": "hf://o/m", "criticality": "Urgent"}}`,
			want: []string{"spec.model.criticality", `"Urgent"`, "Critical"},
		},
		"ModelCriticalityKnown": {
			spec: `{"model": {"uri": "hf://o/m", "criticality": "Sheddable"}, "router": {"scheduler": {}}}`,
		},

		// spec.model.lora
		"LoRADuplicateName": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "hf://o/a"}, {"name": "a", "uri": "hf://o/b"}]}}}`,
			want: []string{"spec.model.lora.adapters[1].name", `Duplicate value: "a"`},
		},
		"LoRAMissingName": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].name: Required value", "served under their name"},
		},
		"LoRANameWithSlash": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "sql/v2", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].name", "lower case alphanumerics"},
		},
		"LoRANameUpperCase": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "SQL", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].name", "lower case alphanumerics"},
		},
		"LoRANameTooLong": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "` + strings.Repeat("a", 64) + `", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].name", "at most 63"},
		},
		"LoRASameNameAsModel": {
			spec: `{"model": {"uri": "hf://o/m", "name": "llama", "lora": {"adapters": [{"name": "llama", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].name", "must differ from the base model's name"},
		},
		"LoRAMaxRankZero": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"maxRank": 0, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.maxRank: Invalid value: 0", "must be one of the ranks vLLM accepts"},
		},
		"LoRAMaxRankNotVLLMs": {
			// vLLM exits on any rank it does not list.
			spec: `{"model": {"uri": "hf://o/m", "lora": {"maxRank": 24, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.maxRank: Invalid value: 24", "must be one of the ranks vLLM accepts: 1, 8, 16, 32, 64, 128, 256, 320, 512"},
		},
		"LoRAMaxRank320": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"maxRank": 320, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`,
		},
		"LoRAFewerCPUThanGPUAdapters": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"maxAdapters": 4, "maxCpuAdapters": 2, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.maxCpuAdapters: Invalid value: 2", "must be at least maxAdapters (4)"},
		},
		"LoRAAsManyCPUAsGPUAdapters": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"maxAdapters": 4, "maxCpuAdapters": 4, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`,
		},
		"LoRAMaxAdaptersZero": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"maxAdapters": 0, "adapters": [{"name": "a", "uri": "hf://o/a"}]}}}`,
			want: []string{"spec.model.lora.maxAdapters: Invalid value: 0", "must be at least 1"},
		},
		"LoRAMissingURI": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].uri: Required value"},
		},
		"LoRAUnknownScheme": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "ftp://h/a"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].uri", `unsupported scheme "ftp"`},
		},
		"LoRAFromOCI": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "oci://r/a:1"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].uri", "not oci://"},
		},
		"LoRAFromPVCAndHF": {
			spec: `{"model": {"uri": "pvc://models/base", "lora": {"maxRank": 16, "adapters": [{"name": "a", "uri": "hf://o/a"}, {"name": "b", "uri": "pvc://models/b"}]}}}`,
		},

		// spec.replicas and spec.parallelism
		"NegativeReplicas": {
			spec: `{` + model + `, "replicas": -1}`,
			want: []string{"spec.replicas", "must be 0 or more"},
		},
		"TensorZero": {
			spec: `{` + model + `, "parallelism": {"tensor": 0}}`,
			want: []string{"spec.parallelism.tensor: Invalid value: 0", "must be greater than 0"},
		},
		"PipelineNegative": {
			spec: `{` + model + `, "parallelism": {"pipeline": -2}}`,
			want: []string{"spec.parallelism.pipeline: Invalid value: -2", "must be greater than 0"},
		},
		"DataLocalZero": {
			spec: `{` + model + `, "parallelism": {"data": 2, "dataLocal": 0}}`,
			want: []string{"spec.parallelism.dataLocal: Invalid value: 0", "must be greater than 0"},
		},
		"PipelineAndData": {
			spec: `{` + model + `, "parallelism": {"pipeline": 2, "data": 2, "dataLocal": 2}}`,
			want: []string{"spec.parallelism: Forbidden", "cannot set both pipeline parallelism and data parallelism"},
		},
		"DataWithoutDataLocal": {
			spec: `{` + model + `, "parallelism": {"data": 2}}`,
			want: []string{"spec.parallelism.dataLocal: Required value", "dataLocal must be set when data is set"},
		},
		"DataLocalWithoutData": {
			spec: `{` + model + `, "parallelism": {"dataLocal": 2}}`,
			want: []string{"spec.parallelism.data: Required value", "data must be set when dataLocal is set"},
		},
		"DataNotMultipleOfDataLocal": {
			spec: `{` + model + `, "parallelism": {"data": 10, "dataLocal": 4}, "worker": {}, "template": ` + gpus("4") + `}`,
			want: []string{"spec.parallelism.data: Invalid value: 10", "must be a multiple of dataLocal (4)"},
		},
		"DataEqualsDataLocalWithWorker": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 4}, "worker": {}, "template": ` + gpus("4") + `}`,
			want: []string{"spec.parallelism.data: Invalid value: 4", "equals dataLocal", "spec.worker has nothing to run"},
		},
		"DataAboveDataLocalWithoutWorker": {
			spec: `{` + model + `, "parallelism": {"data": 8, "dataLocal": 4}, "template": ` + gpus("4") + `}`,
			want: []string{"spec.parallelism.data: Invalid value: 8", "without spec.worker all data parallel ranks run in one pod", "add spec.worker"},
		},
		"DataRPCPortWithoutData": {
			spec: `{` + model + `, "parallelism": {"dataRPCPort": 6000}}`,
			want: []string{"spec.parallelism.dataRPCPort: Invalid value: 6000", "no effect without data parallelism"},
		},
		"DataRPCPortOutOfRange": {
			spec: `{` + model + `, "parallelism": {"data": 2, "dataLocal": 2, "dataRPCPort": 70000}, "template": ` + gpus("2") + `}`,
			want: []string{"spec.parallelism.dataRPCPort: Invalid value: 70000", "must be a port number between 1 and 65535"},
		},
		"WorkerWithoutParallelism": {
			spec: `{` + model + `, "worker": {}}`,
			want: []string{"spec.parallelism: Required value", "when worker is specified, parallelism must be configured"},
		},
		"PipelineOneWithWorker": {
			spec: `{` + model + `, "parallelism": {"pipeline": 1}, "worker": {}}`,
			want: []string{"spec.parallelism.pipeline: Invalid value: 1", "pipeline must be at least 2"},
		},
		"PrefillTensorZero": {
			spec: `{` + model + `, "prefill": {"parallelism": {"tensor": 0}}}`,
			want: []string{"spec.prefill.parallelism.tensor: Invalid value: 0"},
		},
		"PrefillDataNotMultipleOfDataLocal": {
			spec: `{` + model + `, "prefill": {"parallelism": {"data": 6, "dataLocal": 4}, "worker": {}}}`,
			want: []string{"spec.prefill.parallelism.data: Invalid value: 6", "must be a multiple of dataLocal (4)"},
		},
		"DataParallelGroup": {
			spec: `{` + model + `, "parallelism": {"data": 16, "dataLocal": 8, "expert": true}, "worker": {}, "template": ` + gpus("8") + `}`,
		},

		// Model-server pod templates: the vLLM flags the function owns, in
		// args, VLLM_ADDITIONAL_ARGS and the user's own vllm serve.
		"ReservedPort": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--port=9000"]`) + `}`,
			want: []string{"spec.template.containers[main].args[0]", "--port=9000 contradicts the function's --port 8000", "vLLM listens on 8000"},
		},
		"OwnPort": {
			// A flag repeating the function's value is accepted.
			spec: `{` + model + `, "template": ` + main(`"args": ["--port", "8000", "--served-model-name=m"]`) + `}`,
		},
		"OwnPortBehindSidecar": {
			// On decode pods vLLM listens behind the routing sidecar.
			spec: `{` + model + `, "prefill": {}, "template": ` + main(`"args": ["--port", "8000"]`) + `}`,
			want: []string{"spec.template.containers[main].args[0]", "--port 8000 contradicts the function's --port 8200"},
		},
		"OwnPortOnDecode": {
			spec: `{` + model + `, "prefill": {}, "template": ` + main(`"args": ["--port=8200"]`) + `}`,
		},
		"ReservedServedModelName": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--max-model-len=8192", "--served-model-name", "x"]`) + `}`,
			want: []string{"spec.template.containers[main].args[1]", "--served-model-name x contradicts the function's --served-model-name m", "set spec.model.name"},
		},
		"ServedModelNameAliases": {
			// KServe's launcher adds a publisher path as a second name.
			spec: `{"model": {"uri": "hf://o/m", "name": "llama"}, "template": ` + main(`"args": ["--served-model-name", "llama", "publishers/ns/models/llama"]`) + `}`,
		},
		"ReservedAbbreviation": {
			// argparse takes any unambiguous prefix, and _ for -.
			spec: `{` + model + `, "template": ` + main(`"args": ["--served_model=x", "--por", "1"]`) + `}`,
			want: []string{"args[0]: Forbidden: --served_model=x contradicts the function's --served-model-name m", "args[1]: Forbidden: --por 1 contradicts the function's --port 8000"},
		},
		"ReservedAmbiguousAbbreviation": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--data-parallel-s=2"]`) + `}`,
			want: []string{"spec.template.containers[main].args[0]", "--data-parallel-s=2 abbreviates several vLLM flags", "--data-parallel-size, --data-parallel-size-local, --data-parallel-start-rank", "which vLLM refuses"},
		},
		"ReservedShortForms": {
			spec: `{` + model + `, "template": ` + main(`"args": ["-dpa=h", "-dpr", "1", "-dpn=1", "-dpe", "-dph", "-asc=2"]`) + `}`,
			want: []string{"args[0]: Forbidden: -dpa=h is set by the function", "args[1]: Forbidden: -dpr 1 is set by the function", "args[3]: Forbidden: -dpn=1", "args[4]: Forbidden: -dpe", "args[5]: Forbidden: -dph is set by the function", "args[6]: Forbidden: -asc=2 is set by the function", "set VLLM_API_SERVER_COUNT"},
		},
		"APIServerCountFromEnv": {
			// The same count as VLLM_API_SERVER_COUNT repeats the function's.
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_API_SERVER_COUNT", "value": "4"}], "args": ["-asc", "4"]`) + `}`,
		},
		"APIServerCountNotANumber": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_API_SERVER_COUNT", "value": "many"}]`) + `}`,
			want: []string{"spec.template.containers[main].env[VLLM_API_SERVER_COUNT].value: Invalid value: \"many\"", "whole number of at least 1"},
		},
		"ResolveAttemptsNegative": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "DP_ADDRESS_RESOLVE_ATTEMPTS", "value": "-1"}]`) + `}`,
			want: []string{"env[DP_ADDRESS_RESOLVE_ATTEMPTS].value", "whole number of at least 0"},
		},
		"ReservedModelFlag": {
			// --model moves to the positional: a second model.
			spec: `{` + model + `, "template": ` + main(`"args": ["--model", "facebook/opt-125m"]`) + `}`,
			want: []string{"args[0]: Forbidden: --model facebook/opt-125m contradicts the function's --model /mnt/models"},
		},
		"OwnModelFlag": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--model=/mnt/models"]`) + `}`,
		},
		"ReservedStartRank": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--data-parallel-start-rank=3"]`) + `}`,
			want: []string{"spec.template.containers[main].args[0]", "--data-parallel-start-rank=3 is set by the function", "computes each pod's first rank"},
		},
		"ReservedInWorker": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": ` + main(`"args": ["--headless"]`) + `}`,
			want: []string{"spec.worker.containers[main].args[0]", "--headless is set by the function"},
		},
		"HybridLBOnDataParallelGroup": {
			// The function sets it there.
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + main(`"args": ["--data-parallel-hybrid-lb"], "resources": {"limits": {"nvidia.com/gpu": "2"}}`) + `, "worker": {}}`,
		},
		"HybridLBOnOneNode": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--data-parallel-hybrid-lb"]`) + `}`,
			want: []string{"args[0]: Forbidden: --data-parallel-hybrid-lb is set by the function"},
		},
		"APIKeyArg": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--api-key=k"]`) + `}`,
			want: []string{"spec.template.containers[main].args[0]", "--api-key", "VLLM_API_KEY"},
		},
		"UnreservedArgs": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--max-model-len=8192", "--gpu-memory-utilization", "0.9"]`) + `}`,
		},
		"PositionalModel": {
			spec: `{` + model + `, "template": ` + main(`"args": ["facebook/opt-125m", "--enforce-eager"]`) + `}`,
			want: []string{"args[0]: Forbidden: facebook/opt-125m would be vLLM's model", "spec.model.uri"},
		},

		// Parallelism from vLLM flags.
		"TensorFromFlags": {
			// Counts in the GPU arithmetic (compose); the spec leaves it unset.
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--tensor-parallel-size=4"}], "args": ["-tp", "4"]`) + `}`,
		},
		"TensorContradictsSpec": {
			spec: `{` + model + `, "parallelism": {"tensor": 4}, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--tensor_parallel_size 2"}]`) + `}`,
			want: []string{"spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS].value: Forbidden: --tensor_parallel_size 2 contradicts spec.parallelism.tensor (4)"},
		},
		"TensorAgreesWithSpec": {
			spec: `{` + model + `, "parallelism": {"tensor": 4}, "template": ` + main(`"args": ["-tp=4"]`) + `}`,
		},
		"TensorTwiceDifferently": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "-tp 2"}], "args": ["-tp", "4"]`) + `}`,
			want: []string{"args[0]: Forbidden: -tp 4 contradicts -tp 2 in spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS]"},
		},
		"TensorNotANumber": {
			spec: `{` + model + `, "template": ` + main(`"args": ["-tp=two"]`) + `}`,
			want: []string{"args[0]: Invalid value: \"-tp=two\"", "whole number above 0"},
		},
		"ExpertContradictsSpec": {
			spec: `{` + model + `, "parallelism": {"expert": true}, "template": ` + main(`"args": ["--no-enable-expert-parallel"]`) + `}`,
			want: []string{"args[0]: Forbidden: --no-enable-expert-parallel contradicts spec.parallelism.expert (true)"},
		},
		"PipelineFromFlagsOnOneNode": {
			spec: `{` + model + `, "prefill": {"template": ` + main(`"args": ["--pipeline-parallel-size=2"]`) + `}}`,
		},
		"PipelineAndDataFromFlags": {
			spec: `{` + model + `, "parallelism": {"data": 2, "dataLocal": 2}, "template": ` + main(`"args": ["-pp=2"]`) + `}`,
			want: []string{"spec.parallelism: Forbidden: vLLM's flags set pipeline 2 and data 2 parallelism"},
		},
		"DataFromFlagsOnDataParallelGroup": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": ` + main(`"args": ["-pp", "2"]`) + `}`,
			want: []string{"spec.worker.containers[main].args[0]: Forbidden: -pp 2: set spec.parallelism.pipeline instead"},
		},
		"RPCPortOnDataParallelGroup": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + main(`"args": ["-dpp=6000"], "resources": {"limits": {"nvidia.com/gpu": "2"}}`) + `, "worker": {}}`,
			want: []string{"args[0]: Forbidden: -dpp=6000 contradicts the data parallel RPC port the function passes (5555)"},
		},

		// VLLM_ADDITIONAL_ARGS
		"AdditionalArgsReserved": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--max-model-len 8192 --port 9000"}]`) + `}`,
			want: []string{"spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS].value: Forbidden: --port 9000 contradicts the function's --port 8000"},
		},
		"AdditionalArgsKServeSample": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--kv_transfer_config '{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}' --enable-auto-tool-choice"}]`) + `}`,
		},
		"AdditionalArgsFromSecret": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}]`) + `}`,
			want: []string{"env[VLLM_ADDITIONAL_ARGS].valueFrom: Forbidden", "write them in value"},
		},
		"AdditionalArgsNotWords": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--a 1 && curl x"}]`) + `}`,
			want: []string{"env[VLLM_ADDITIONAL_ARGS].value: Invalid value", "must be flags only"},
		},

		// The user's own command
		"CommandOnMultiNode": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "worker": {}, "template": ` + main(`"command": ["python3", "-m", "vllm.entrypoints.openai.api_server"], "resources": {"limits": {"nvidia.com/gpu": "2"}}`) + `}`,
			want: []string{"spec.template.containers[main].command: Forbidden", "launcher that computes each pod's ranks"},
		},
		"CommandOnMultiNodeWorker": {
			spec: `{` + model + `, "parallelism": {"pipeline": 2}, "worker": ` + main(`"command": ["bash"]`) + `}`,
			want: []string{"spec.worker.containers[main].command: Forbidden"},
		},
		"VLLMCommandOnMultiNode": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "worker": {}, "template": ` + main(`"command": ["vllm", "serve"]`) + `}`,
		},
		"KServeCommandOnMultiNode": {
			// A vllm serve the function can read: it composes the launcher.
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "worker": {}, "template": ` + main(`"command": ["/bin/sh", "-c", "vllm serve /mnt/models --port 8000 --served-model-name m $VLLM_ADDITIONAL_ARGS"], "resources": {"limits": {"nvidia.com/gpu": "2"}}`) + `}`,
		},
		"KServeCommandReserved": {
			spec: `{` + model + `, "template": ` + main(`"command": ["/bin/bash", "-c", "eval \"exec vllm serve /mnt/models --port 8080 ${VLLM_ADDITIONAL_ARGS} $@\""]`) + `}`,
			want: []string{"spec.template.containers[main].command: Forbidden: --port 8080 contradicts the function's --port 8000"},
		},
		"CommandWithUnreadableWords": {
			spec: `{` + model + `, "template": ` + main(`"command": ["sh", "-c", "vllm serve /mnt/models --port $(cat /port)"]`) + `}`,
			want: []string{"spec.template.containers[main].command: Forbidden: runs vllm serve with words the function cannot pass on"},
		},
		"ScriptDroppingArgs": {
			spec: `{` + model + `, "template": ` + main(`"command": ["sh", "-c", "cd /app && python3 serve.py"]`) + `}`,
			want: []string{"spec.template.containers[main].command: Forbidden", `never passes its arguments on ("$@")`},
		},
		"ScriptPassingArgs": {
			spec: `{` + model + `, "template": ` + main(`"command": ["sh", "-c", "ulimit -l unlimited && exec vllm serve \"$@\""]`) + `}`,
		},
		"CommandOnSingleNode": {
			spec: `{` + model + `, "template": ` + main(`"command": ["python3", "-m", "vllm.entrypoints.openai.api_server"]`) + `}`,
		},
		"ArgsOnPipelineWorker": {
			spec: `{` + model + `, "parallelism": {"pipeline": 2, "tensor": 8}, "template": ` + gpus("8") + `, "worker": ` + main(`"args": ["--max-model-len=8192"]`) + `}`,
			want: []string{"spec.worker.containers[main].args[0]: Forbidden", "run a Ray worker", "spec.template.containers[main]"},
		},
		"AdditionalArgsOnPipelineWorker": {
			spec: `{` + model + `, "parallelism": {"pipeline": 2, "tensor": 8}, "template": ` + gpus("8") + `, "worker": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--enforce-eager"}]`) + `}`,
			want: []string{"spec.worker.containers[main].env[VLLM_ADDITIONAL_ARGS].value: Forbidden", "run a Ray worker"},
		},
		"ArgsOnPipelineLeader": {
			// The leader runs the engine: its flags are what a pipeline
			// group takes, where the workers' message points.
			spec: `{` + model + `, "parallelism": {"pipeline": 2, "tensor": 8}, "template": ` + main(`"args": ["--max-model-len=8192"]`) + `, "worker": {}}`,
		},
		"InlineHFToken": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "HF_TOKEN", "value": "hf_x"}]`) + `}`,
			want: []string{"spec.template.containers[main].env[HF_TOKEN].value: Forbidden", "by reference", "never inline"},
		},
		"InlineAPIKey": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_API_KEY", "value": "k"}]`) + `}`,
			want: []string{"env[VLLM_API_KEY].value", "by reference"},
		},
		"InlineAWSSecretOnDownload": {
			spec: `{"model": {"uri": "s3://models/llama"}, "template": {"initContainers": [{"name": "storage-initializer",
			  "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "k"}]}]}}`,
			want: []string{"spec.template.initContainers[storage-initializer].env[AWS_SECRET_ACCESS_KEY].value: Forbidden", "by reference"},
		},
		"InlineTokenOnWorker": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": ` + main(`"env": [{"name": "HUGGING_FACE_HUB_TOKEN", "value": "hf_x"}]`) + `}`,
			want: []string{"spec.worker.containers[main].env[HUGGING_FACE_HUB_TOKEN].value: Forbidden"},
		},
		"InlineTokenOnPrefill": {
			spec: `{` + model + `, "prefill": {"template": ` + main(`"env": [{"name": "AWS_SESSION_TOKEN", "value": "t"}]`) + `}}`,
			want: []string{"spec.prefill.template.containers[main].env[AWS_SESSION_TOKEN].value: Forbidden"},
		},
		"TokenByReference": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "token"}}}]`) + `}`,
		},
		"TemplateFieldTypo": {
			spec: `{` + model + `, "template": {"containers": [{"name": "main", "imagePullPolicyy": "Always"}]}}`,
			want: []string{"spec.template.containers[0].imagePullPolicyy", "not a field of a pod spec"},
		},
		"TemplatePodFieldTypo": {
			spec: `{` + model + `, "template": {"nodeSelecter": {"gpu": "h100"}}}`,
			want: []string{"spec.template.nodeSelecter", "not a field of a pod spec"},
		},
		"TokenizerTemplateFieldTypo": {
			spec: `{` + model + `, "router": {"scheduler": {"tokenizer": {"template": {"nodeSelecter": {"pool": "cpu"}}}}}}`,
			want: []string{"spec.router.scheduler.tokenizer.template.nodeSelecter", "not a field of a pod spec"},
		},
		"WorkerFieldTypo": {
			spec: `{` + model + `, "parallelism": {"data": 4, "dataLocal": 2}, "template": ` + gpus("2") + `, "worker": {"containers": [{"name": "main", "envv": []}]}}`,
			want: []string{"spec.worker.containers[0].envv", "not a field of a pod spec"},
		},
		"PrefillTemplateFieldTypo": {
			spec: `{` + model + `, "prefill": {"template": {"tolerationz": []}}}`,
			want: []string{"spec.prefill.template.tolerationz", "not a field of a pod spec"},
		},
		"UnknownFieldOutsidePods": {
			// Reported as a warning, as an API server that prunes it would.
			spec: `{` + model + `, "replicaz": 2}`,
		},

		// spec.labels
		"LabelKeyInvalid": {
			spec: `{` + model + `, "labels": {"-team": "a"}}`,
			want: []string{"spec.labels[-team]", "name part must consist of alphanumeric characters"},
		},
		"LabelValueInvalid": {
			spec: `{` + model + `, "labels": {"team": "search and rescue"}}`,
			want: []string{"spec.labels[team]", `Invalid value: "search and rescue"`, "a valid label must be"},
		},
		"PrefillLabelInvalid": {
			spec: `{` + model + `, "prefill": {"labels": {"example.com/": "x"}}}`,
			want: []string{"spec.prefill.labels[example.com/]", "name part must be non-empty"},
		},

		// spec.router.gateway and spec.router.route
		"GatewayRefEmptyName": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": ""}]}, "route": {}}}`,
			want: []string{"spec.router.gateway.refs[0].name", "Required value"},
		},
		"GatewayRefBadNamespace": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "g", "namespace": "Bad_NS"}]}, "route": {}}}`,
			want: []string{"spec.router.gateway.refs[0].namespace", `"Bad_NS"`},
		},
		"RouteRefEmptyName": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"refs": [{"name": ""}]}}}}`,
			want: []string{"spec.router.route.http.refs[0].name", "Required value"},
		},
		"RouteRefsAndSpec": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"refs": [{"name": "r"}], "spec": {"hostnames": ["a.example.com"]}}}}}`,
			want: []string{"spec.router.route.http: Forbidden", "cannot use both custom HTTPRoute refs"},
		},
		"RouteRefsWithManagedGateway": {
			spec: `{` + model + `, "router": {"gateway": {}, "route": {"http": {"refs": [{"name": "r"}]}}}}`,
			want: []string{"spec.router.gateway: Forbidden", "cannot be used with a managed gateway"},
		},
		"RouteRefsWithGatewayRefs": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"refs": [{"name": "r"}]}}}}`,
		},
		"ManagedRouteWithoutGateway": {
			// It attaches to the platform's Gateway, as in KServe.
			spec: `{` + model + `, "router": {"route": {}}}`,
		},
		"ManagedRouteEmptySpecWithoutGateway": {
			spec: `{` + model + `, "router": {"route": {"http": {"spec": {}}}}}`,
		},
		"RouteRefsWithPlatformGateway": {
			// KServe's rule, whatever gateway: {} means on the platform.
			spec:                   `{` + model + `, "router": {"gateway": {}, "route": {"http": {"refs": [{"name": "r"}]}}}}`,
			emptyGatewayIsPlatform: true,
			want:                   []string{"spec.router.gateway: Forbidden", "cannot be used with a managed gateway"},
		},
		"RouteParentsWithPlatformGateway": {
			// No Gateway is composed to serve nothing: the route's own
			// parents win, as KServe's route spec replaces its preset's.
			spec:                   `{` + model + `, "router": {"gateway": {}, "route": {"http": {"spec": {"parentRefs": [{"name": "other"}]}}}}}`,
			emptyGatewayIsPlatform: true,
		},
		"ManagedRouteOwnParents": {
			spec: `{` + model + `, "router": {"route": {"http": {"spec": {"parentRefs": [{"name": "mine"}]}}}}}`,
		},
		"ManagedRouteDefaultGateways": {
			spec: `{` + model + `, "router": {"route": {"http": {"spec": {"useDefaultGateways": "All"}}}}}`,
		},
		"RouteParentsWithManagedGateway": {
			spec: `{` + model + `, "router": {"gateway": {}, "route": {"http": {"spec": {"parentRefs": [{"name": "other"}]}}}}}`,
			want: []string{"spec.router.route.http.spec.parentRefs: Forbidden", "attaches to the managed Gateway"},
		},
		"RouteParentsContradictGatewayRefs": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"spec": {"parentRefs": [{"name": "other"}]}}}}}`,
			want: []string{"spec.router.route.http.spec.parentRefs: Forbidden", "conflict with the custom gateway refs"},
		},
		"RouteParentsFewerThanGatewayRefs": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "a"}, {"name": "b"}]}, "route": {"http": {"spec": {"parentRefs": [{"name": "a"}]}}}}}`,
			want: []string{"spec.router.route.http.spec.parentRefs: Forbidden", "conflict with the custom gateway refs"},
		},
		"RouteParentsOtherListener": {
			// A listener the refs do not name is a different parent.
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "a", "sectionName": "http"}]}, "route": {"http": {"spec": {"parentRefs": [{"name": "a"}]}}}}}`,
			want: []string{"spec.router.route.http.spec.parentRefs: Forbidden", "conflict with the custom gateway refs"},
		},
		"RouteParentsRepeatGatewayRefs": {
			// The same parents said twice, spelt differently: the
			// defaults of a parent reference filled in, in another order.
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "a"}, {"name": "b", "namespace": "infra", "sectionName": "https"}]},
			  "route": {"http": {"spec": {"parentRefs": [{"name": "b", "namespace": "infra", "sectionName": "https", "kind": "Gateway"},
			    {"name": "a", "namespace": "ns", "group": "gateway.networking.k8s.io"}]}}}}}`,
		},

		// spec.router.route.group and weight
		"RouteGroupWithWeight": {
			spec: `{` + model + `, "router": {"route": {"group": "canary", "weight": 90}}}`,
		},
		"RouteGroupZeroWeight": {
			spec: `{` + model + `, "router": {"route": {"group": "canary", "weight": 0}}}`,
		},
		"RouteWeightWithoutGroup": {
			spec: `{` + model + `, "router": {"route": {"weight": 10}}}`,
			want: []string{"spec.router.route.group: Required value", "weight requires group", "weight is 10", "set spec.router.route.group"},
		},
		"RouteGroupWithoutWeight": {
			spec: `{` + model + `, "router": {"route": {"group": "canary"}}}`,
			want: []string{"spec.router.route.weight: Required value", "group requires weight", `"canary"`, "set spec.router.route.weight"},
		},
		"RouteGroupNotALabel": {
			spec: `{` + model + `, "router": {"route": {"group": "Canary_1", "weight": 1}}}`,
			want: []string{"spec.router.route.group: Invalid value: \"Canary_1\"", "must be a DNS label"},
		},
		"RouteWeightTooLarge": {
			spec: `{` + model + `, "router": {"route": {"group": "canary", "weight": 1000001}}}`,
			want: []string{"spec.router.route.weight: Invalid value: 1000001", "between 0 and 1000000"},
		},
		"RouteGroupWithRouteRefs": {
			spec: `{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"group": "canary", "weight": 1, "http": {"refs": [{"name": "r"}]}}}}`,
			want: []string{"spec.router.route.group: Forbidden", "needs the managed HTTPRoute", "remove the group"},
		},
		"RouteGroupWithIngress": {
			spec: `{` + model + `, "router": {"ingress": {}, "route": {"group": "canary", "weight": 1}}}`,
			want: []string{"spec.router.ingress: Forbidden", "remove spec.router.ingress"},
		},

		// spec.router.scheduler
		"SchedulerReplicasZero": {
			spec: `{` + model + `, "router": {"scheduler": {"replicas": 0}}}`,
			want: []string{"spec.router.scheduler.replicas: Invalid value: 0", "must be at least 1", "remove spec.router.scheduler to route without one"},
		},
		"PoolRefEmptyName": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"ref": {}}}}}`,
			want: []string{"spec.router.scheduler.pool.ref.name", "Required value"},
		},
		"PoolSpecAndRef": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"ref": {"name": "p"}, "spec": {"targetPortNumber": 8000}}}}}`,
			want: []string{"spec.router.scheduler.pool: Forbidden", "spec and ref are mutually exclusive"},
		},
		"PoolSelectorBadLabel": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"selector": {"bad key!": "v"}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.selector[bad key!]"},
		},
		"PoolTargetPortZero": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPortNumber": 0}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.targetPortNumber: Invalid value: 0", "must be a port number between 1 and 65535", "the model-server port"},
		},
		"PoolTargetPortTooHigh": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPortNumber": 70000}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.targetPortNumber: Invalid value: 70000", "between 1 and 65535"},
		},
		"PoolExtensionPortZero": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"extensionRef": {"portNumber": 0}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.extensionRef.portNumber: Invalid value: 0", "between 1 and 65535", "ext-proc port"},
		},
		"PoolUnknownFailureMode": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"extensionRef": {"failureMode": "Sometimes"}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.extensionRef.failureMode", `Unsupported value: "Sometimes"`, `"FailOpen", "FailClose"`},
		},
		"PoolSpec": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"selector": {"app": "m"}, "targetPortNumber": 8000, "extensionRef": {"name": "mine", "portNumber": 9002, "failureMode": "FailClose"}}}}}}`,
		},

		// spec.router.scheduler.pool.spec in the v1 shape (v1alpha2), and
		// the settings both shapes have.
		"PoolSpecV1": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"selector": {"matchLabels": {"app": "m"}}, "targetPorts": [{"number": 8000}, {"number": 8001}], "appProtocol": "kubernetes.io/h2c", "endpointPickerRef": {"name": "mine", "port": {"number": 9002}, "failureMode": "FailClose"}}}}}}`,
		},
		"PoolSelectorBothShapes": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"selector": {"matchLabels": {"app": "m"}, "tier": "gpu"}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.selector: Forbidden", "spec.router.scheduler.pool.spec.selector labels (tier)", "spec.router.scheduler.pool.spec.selector.matchLabels", "are the same setting: keep one"},
		},
		"PoolMatchLabelsEmpty": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"selector": {"matchLabels": {}}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.selector.matchLabels: Required value", "leave selector out"},
		},
		"PoolMatchLabelsBadLabel": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"selector": {"matchLabels": {"app": "not valid!"}}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.selector.matchLabels[app]", `Invalid value: "not valid!"`},
		},
		"PoolTargetPortBothShapes": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPortNumber": 8000, "targetPorts": [{"number": 8000}]}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec: Forbidden", "spec.router.scheduler.pool.spec.targetPortNumber (KServe v1alpha1's pool shape) and spec.router.scheduler.pool.spec.targetPorts (v1alpha2's)"},
		},
		"PoolTargetPortsDuplicate": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPorts": [{"number": 8000}, {"number": 8000}]}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.targetPorts[1].number: Duplicate value: 8000"},
		},
		"PoolTargetPortsZero": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPorts": [{"number": 0}]}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.targetPorts[0].number: Invalid value: 0", "between 1 and 65535"},
		},
		"PoolTargetPortsTooMany": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"targetPorts": [{"number": 1}, {"number": 2}, {"number": 3}, {"number": 4}, {"number": 5}, {"number": 6}, {"number": 7}, {"number": 8}, {"number": 9}]}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.targetPorts: Too many: 9: must have at most 8 items"},
		},
		"PoolAppProtocolUnknown": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"appProtocol": "grpc"}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.appProtocol", `Unsupported value: "grpc"`, `"http", "kubernetes.io/h2c"`},
		},
		"PoolPickerRefBothShapes": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"extensionRef": {"name": "a"}, "endpointPickerRef": {"name": "a", "port": {"number": 9002}}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec: Forbidden", "spec.router.scheduler.pool.spec.extensionRef (KServe v1alpha1's pool shape) and spec.router.scheduler.pool.spec.endpointPickerRef (v1alpha2's)"},
		},
		"PoolPickerRefServiceWithoutPort": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"endpointPickerRef": {"name": "mine"}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.endpointPickerRef.port: Required value", "port is required when kind is 'Service' or unspecified", "{number: 9002}"},
		},
		"PoolPickerRefOtherKindWithoutPort": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"endpointPickerRef": {"kind": "Backend", "group": "example.com", "name": "mine"}}}}}}`,
		},
		"PoolPickerRefPortZero": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"endpointPickerRef": {"port": {"number": 0}}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.endpointPickerRef.port.number: Invalid value: 0", "ext-proc port"},
		},
		"PoolPickerRefUnknownFailureMode": {
			spec: `{` + model + `, "router": {"scheduler": {"pool": {"spec": {"endpointPickerRef": {"port": {"number": 9002}, "failureMode": "Never"}}}}}}`,
			want: []string{"spec.router.scheduler.pool.spec.endpointPickerRef.failureMode", `Unsupported value: "Never"`},
		},

		// Criticality, the spec's fields (v1alpha1) and the annotations
		// v1alpha2 keeps them in.
		"AdapterUnknownCriticality": {
			spec: `{"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "hf://o/a", "criticality": "Urgent"}]}}}`,
			want: []string{"spec.model.lora.adapters[0].criticality", `Unsupported value: "Urgent"`},
		},
		"ModelCriticalityAnnotation": {
			spec:        `{` + model + `, "router": {"scheduler": {}}}`,
			annotations: map[string]string{modelAnn: "Sheddable"},
		},
		"ModelCriticalityAnnotationAndSameField": {
			spec:        `{"model": {"uri": "hf://o/m", "criticality": "Sheddable"}, "router": {"scheduler": {}}}`,
			annotations: map[string]string{modelAnn: "Sheddable"},
		},
		"ModelCriticalityAnnotationUnknown": {
			spec:        `{` + model + `, "router": {"scheduler": {}}}`,
			annotations: map[string]string{modelAnn: "urgent"},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/model-criticality]", `Unsupported value: "urgent"`, `"Critical", "Standard", "Sheddable"`},
		},
		"ModelCriticalityAnnotationContradicts": {
			spec:        `{"model": {"uri": "hf://o/m", "criticality": "Critical"}, "router": {"scheduler": {}}}`,
			annotations: map[string]string{modelAnn: "Sheddable"},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/model-criticality]", `contradicts spec.model.criticality "Critical"`, "remove one"},
		},
		"LoRACriticalitiesAnnotation": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `{"0": "Critical", "1": "Standard"}`},
		},
		"LoRACriticalitiesAnnotationNotJSON": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `0=Critical`},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/lora-criticalities]", `must be a JSON object of LoRA adapter index to criticality, e.g. {"0": "Critical"}`},
		},
		"LoRACriticalitiesAnnotationNotAnObject": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `["Critical"]`},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/lora-criticalities]", "must be a JSON object"},
		},
		"LoRACriticalitiesAnnotationTrailingData": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `{"0": "Critical"} {}`},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/lora-criticalities]", "must be a JSON object"},
		},
		"LoRACriticalitiesAnnotationNotAnIndex": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `{"a": "Critical", "01": "Critical", "-1": "Critical"}`},
			want:        []string{`key "-1" is not the index of an adapter`, `key "01" is not the index`, `key "a" is not the index`},
		},
		"LoRACriticalitiesAnnotationOutOfRange": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `{"2": "Critical"}`},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/lora-criticalities]", `key "2": spec.model.lora.adapters has 2 adapters, so there is no adapter 2`},
		},
		"LoRACriticalitiesAnnotationWithoutAdapters": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{loraAnn: `{"0": "Critical"}`},
			want:        []string{`key "0": spec.model.lora.adapters has 0 adapters`},
		},
		"LoRACriticalitiesAnnotationUnknown": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `{"0": "Urgent"}`},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/lora-criticalities]", `adapter 0: "Urgent" is not a criticality`},
		},
		"LoRACriticalitiesAnnotationContradicts": {
			spec:        `{` + lora + `}`,
			annotations: map[string]string{loraAnn: `{"1": "Critical"}`},
			want:        []string{"metadata.annotations[internal.serving.kserve.io/lora-criticalities]", `adapter 1: "Critical" contradicts spec.model.lora.adapters[1].criticality "Standard"`},
		},

		// Managed DRA, from KServe's serving.kserve.io/exp-dra-* annotations.
		"ManagedDRA": {
			spec: `{` + model + `}`,
			annotations: map[string]string{
				AnnotationDRADeviceClass: " gpu.nvidia.com ", AnnotationDRADeviceCount: "2", AnnotationDRAContainerName: "main",
				AnnotationDRACELSelector: "device.attributes[\"gpu.nvidia.com\"].productName == \"H100\"\n\n",
			},
		},
		"ManagedDRADeviceClassNotAName": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: "GPU_Class"},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-class]", `"GPU_Class"`, "must name a DeviceClass, e.g. gpu.nvidia.com"},
		},
		"ManagedDRADeviceClassEmpty": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: " "},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-class]", "must name a DeviceClass"},
		},
		"ManagedDRACountZero": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: "gpu.nvidia.com", AnnotationDRADeviceCount: "0"},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-count]", `"0"`, "at least 1"},
		},
		"ManagedDRACountNotANumber": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: "gpu.nvidia.com", AnnotationDRADeviceCount: "two"},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-count]", `"two"`, "must be a whole number of devices per pod"},
		},
		"ManagedDRACountTooMany": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: "gpu.nvidia.com", AnnotationDRADeviceCount: "33"},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-device-count]", `"33"`, "at most 32 devices"},
		},
		"ManagedDRABlankSelector": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: "gpu.nvidia.com", AnnotationDRACELSelector: "\n \n"},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-cel-selector]", "must hold at least one CEL expression", "remove the annotation"},
		},
		"ManagedDRAContainerNotALabel": {
			spec:        `{` + model + `}`,
			annotations: map[string]string{AnnotationDRADeviceClass: "gpu.nvidia.com", AnnotationDRAContainerName: "vllm.main"},
			want:        []string{"metadata.annotations[serving.kserve.io/exp-dra-container-name]", `"vllm.main"`, "must name a container"},
		},
		"ManagedDRAWithoutDeviceClass": {
			spec: `{` + model + `}`,
			annotations: map[string]string{
				AnnotationDRADeviceCount: "2", AnnotationDRACELSelector: "true", AnnotationDRAContainerName: "main",
			},
			want: []string{
				"metadata.annotations[serving.kserve.io/exp-dra-device-count]", "metadata.annotations[serving.kserve.io/exp-dra-cel-selector]",
				"metadata.annotations[serving.kserve.io/exp-dra-container-name]", "only takes effect with the annotation serving.kserve.io/exp-dra-device-class",
			},
		},

		// The fields v1alpha2 added, checked although not composed yet.
		// The fields v1alpha2 added.
		"KVCacheOffloading": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "10Gi", "evictionPolicy": "arc", "secondary": [` + kvEmptyDir + `, {"fileSystem": {"pvc": {"ref": {"name": "kv-cache", "path": "a"}}}}, {"fileSystem": {"pvc": {"spec": {"resources": {"requests": {"storage": "1Ti"}}}}}}]}}`,
		},
		"KVCacheOffloadingCPUOnlyZero": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "0"}}`,
		},
		"KVCacheOffloadingZeroCPUWithSecondary": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "0", "secondary": [` + kvEmptyDir + `]}}`,
			want: []string{"spec.kvCacheOffloading.cpu: Invalid value: \"0\"", "must be more than 0"},
		},
		"KVCacheOffloadingNegativeCPU": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "-1Gi"}}`,
			want: []string{"spec.kvCacheOffloading.cpu", "must be more than 0"},
		},
		"KVCacheOffloadingUnknownEvictionPolicy": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi", "evictionPolicy": "fifo"}}`,
			want: []string{"spec.kvCacheOffloading.evictionPolicy", `Unsupported value: "fifo"`, `"lru", "arc"`},
		},
		"KVCacheOffloadingTierWithoutFileSystem": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi", "secondary": [{}]}}`,
			want: []string{"spec.kvCacheOffloading.secondary[0].fileSystem: Required value"},
		},
		"KVCacheOffloadingTierEmptyDirAndPVC": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi", "secondary": [{"fileSystem": {"emptyDir": {"size": "1Gi"}, "pvc": {"ref": {"name": "c"}}}}]}}`,
			want: []string{"spec.kvCacheOffloading.secondary[0].fileSystem", "exactly one of emptyDir and pvc is required"},
		},
		"KVCacheOffloadingTierNeither": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi", "secondary": [{"fileSystem": {}}]}}`,
			want: []string{"spec.kvCacheOffloading.secondary[0].fileSystem", "exactly one of emptyDir and pvc is required"},
		},
		"KVCacheOffloadingPVCSpecAndRef": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi", "secondary": [{"fileSystem": {"pvc": {"spec": {}, "ref": {"name": "c"}}}}]}}`,
			want: []string{"spec.kvCacheOffloading.secondary[0].fileSystem.pvc", "exactly one of spec and ref is required"},
		},
		"KVCacheOffloadingPVCRefWithoutName": {
			spec: `{` + model + `, "prefill": {"kvCacheOffloading": {"cpu": "1Gi", "secondary": [{"fileSystem": {"pvc": {"ref": {"path": "a"}}}}]}}}`,
			want: []string{"spec.prefill.kvCacheOffloading.secondary[0].fileSystem.pvc.ref.name: Required value"},
		},
		"KVCacheOffloadingPVCRefBadName": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi", "secondary": [{"fileSystem": {"pvc": {"ref": {"name": "KV_Cache"}}}}]}}`,
			want: []string{"spec.kvCacheOffloading.secondary[0].fileSystem.pvc.ref.name", `Invalid value: "KV_Cache"`},
		},
		"KVCacheOffloadingUserKVTransferConfigInArgs": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi"}, "template": ` + main(`"args": ["--max-model-len", "8192", "--kv-transfer-config", "{\"kv_connector\":\"LMCacheConnectorV1\",\"kv_role\":\"kv_both\"}"]`) + `}`,
			want: []string{"spec.template.containers[main].args[2]: Forbidden: --kv-transfer-config in spec.template.containers[main].args cannot be set together with spec.kvCacheOffloading", "remove the flag, or remove spec.kvCacheOffloading"},
		},
		"KVCacheOffloadingUserKVTransferConfigInAdditionalArgs": {
			spec: `{` + model + `, "prefill": {"kvCacheOffloading": {"cpu": "1Gi"}, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--kv_transfer_config '{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}'"}]`) + `}}`,
			want: []string{"spec.prefill.template.containers[main].env[VLLM_ADDITIONAL_ARGS].value: Forbidden: --kv_transfer_config in spec.prefill.template.containers[main].env[VLLM_ADDITIONAL_ARGS] cannot be set together with spec.prefill.kvCacheOffloading"},
		},
		"KVCacheOffloadingUserKVTransferConfigKey": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi"}, "worker": ` + main(`"args": ["--kv-transfer-config.kv_role=kv_consumer"]`) + `, "parallelism": {"data": 2, "dataLocal": 1}}`,
			want: []string{"spec.worker.containers[main].args[0]: Forbidden: --kv-transfer-config.kv_role=kv_consumer in spec.worker.containers[main].args cannot be set together with spec.kvCacheOffloading"},
		},
		"KVCacheOffloadingOtherRoleKVTransferConfig": {
			spec: `{` + model + `, "kvCacheOffloading": {"cpu": "1Gi"}, "prefill": {"template": ` + main(`"args": ["--kv-transfer-config", "{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}"]`) + `}}`,
		},

		// spec.tracing
		"Tracing": {
			spec: `{` + model + `, "tracing": {}}`,
		},
		"TracingAlwaysOn": {
			spec: `{` + model + `, "tracing": {"sampler": "always_on", "samplerArg": "x"}}`,
		},
		"TracingRatio": {
			spec: `{` + model + `, "tracing": {"exporterEndpoint": "http://collector.observability:4317", "sampler": "traceidratio", "samplerArg": "1"}}`,
		},
		"TracingRatioNotANumber": {
			spec: `{` + model + `, "tracing": {"sampler": "parentbased_traceidratio", "samplerArg": "5%"}}`,
			want: []string{`spec.tracing.samplerArg: Invalid value: "5%": the sampler parentbased_traceidratio takes the share of traces to keep, a number from 0 to 1`},
		},
		"TracingRatioAboveOne": {
			spec: `{` + model + `, "tracing": {"sampler": "traceidratio", "samplerArg": "5"}}`,
			want: []string{`spec.tracing.samplerArg: Invalid value: "5"`},
		},

		"Confidential": {
			spec: `{"model": {"uri": "hf://o/m", "confidential": {"enabled": true, "resourceId": "kbs:///default/key/model-a"}}}`,
		},
		"ConfidentialBadResourceID": {
			spec: `{"model": {"uri": "hf://o/m", "confidential": {"enabled": true, "resourceId": "kbs://default/key"}}}`,
			want: []string{"spec.model.confidential.resourceId", `Invalid value: "kbs://default/key"`, "kbs:///<repository>/<type>/<tag>"},
		},
		// rolloutStrategy, KServe's webhook's rules.
		"RolloutStrategy": {
			spec: `{` + model + `, "rolloutStrategy": {"maxUnavailable": 0, "maxSurge": "25%"}, "prefill": {"rolloutStrategy": {"maxUnavailable": "100%"}}}`,
		},
		"RolloutStrategyNegative": {
			spec: `{` + model + `, "rolloutStrategy": {"maxSurge": -1}}`,
			want: []string{"spec.rolloutStrategy.maxSurge: Invalid value: -1", "must be 0 or more"},
		},
		"RolloutStrategyNotAPercentage": {
			spec: `{` + model + `, "prefill": {"rolloutStrategy": {"maxUnavailable": "2"}}}`,
			want: []string{`spec.prefill.rolloutStrategy.maxUnavailable: Invalid value: "2"`, "a number of replicas or a percentage of them, e.g. 1 or 25%"},
		},
		"RolloutStrategyOver100Percent": {
			spec: `{` + model + `, "rolloutStrategy": {"maxUnavailable": "150%"}}`,
			want: []string{`spec.rolloutStrategy.maxUnavailable: Invalid value: "150%"`, "between 0% and 100%"},
		},
		"RolloutStrategyBothZero": {
			spec: `{` + model + `, "rolloutStrategy": {"maxUnavailable": "0%", "maxSurge": 0}}`,
			want: []string{`spec.rolloutStrategy: Invalid value: "maxUnavailable: 0%, maxSurge: 0"`, "cannot both be zero", "e.g. maxSurge: 1"},
		},
		"RolloutStrategyDeploymentUnavailableZero": {
			// A Deployment's missing maxSurge is Kubernetes' 25%.
			spec: `{` + model + `, "rolloutStrategy": {"maxUnavailable": 0}}`,
		},
		"RolloutStrategyLeaderWorkerSetUnavailableZero": {
			spec: `{` + model + `, "worker": {}, "parallelism": {"data": 2, "dataLocal": 1}, "rolloutStrategy": {"maxUnavailable": 0}}`,
			want: []string{"spec.rolloutStrategy.maxSurge: Required value", "a LeaderWorkerSet with maxUnavailable 0 needs maxSurge", "e.g. 1"},
		},
		"RolloutStrategyLeaderWorkerSetSurge": {
			spec: `{` + model + `, "worker": {}, "parallelism": {"data": 2, "dataLocal": 1}, "rolloutStrategy": {"maxUnavailable": 0, "maxSurge": 1}}`,
		},

		"ConfigInlineAndRef": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": {"plugins": []}, "ref": {"name": "cm"}}}}}`,
			want: []string{"spec.router.scheduler.config", "either inline or ref is required, not both"},
		},
		"ConfigNeitherInlineNorRef": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {}}}}`,
			want: []string{"spec.router.scheduler.config", "either inline or ref is required, not both"},
		},
		"InlineConfigWrongKind": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": {"kind": "ConfigMap"}}}}}`,
			want: []string{"spec.router.scheduler.config.inline", "kind must be EndpointPickerConfig"},
		},
		"InlineConfigList": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": ["queue-scorer"]}}}}`,
			want: []string{"spec.router.scheduler.config.inline", "must be an EndpointPickerConfig object", "not a list"},
		},
		"InlineConfigString": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": "plugins: []"}}}}`,
			want: []string{"spec.router.scheduler.config.inline", "written as YAML under inline, not a string"},
		},
		"InlineConfigBadAPIVersion": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": {"apiVersion": 1}}}}}`,
			want: []string{"spec.router.scheduler.config.inline", "apiVersion must be a group/version string"},
		},
		"InlineConfig": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "queue-scorer"}], "schedulingProfiles": [{"name": "default", "plugins": [{"pluginRef": "queue-scorer"}]}]}}}}}`,
		},
		"ConfigRefWithoutName": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"ref": {"key": "epp"}}}}}`,
			want: []string{"spec.router.scheduler.config.ref.name: Required value"},
		},
		"ConfigRefBadName": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"ref": {"name": "My_Config"}}}}}`,
			want: []string{"spec.router.scheduler.config.ref.name", `Invalid value: "My_Config"`},
		},
		"ConfigRefBadKey": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"ref": {"name": "cm", "key": "a/b"}}}}}`,
			want: []string{"spec.router.scheduler.config.ref.key", `Invalid value: "a/b"`},
		},
		"ConfigRefDefaultKey": {
			spec:            `{` + model + `, "router": {"scheduler": {"config": {"ref": {"name": "cm"}}}}}`,
			pickerConfigRef: "plugins:\n- type: queue-scorer\n",
		},
		// Precise prefix-cache routing: the picker's configuration is the
		// one source of what vLLM's KV events must agree with.
		"ConfigRefNotAnObject": {
			spec:            `{` + model + `, "router": {"scheduler": {"config": {"ref": {"name": "cm"}}}}}`,
			pickerConfigRef: "- type: queue-scorer\n",
			want:            []string{`spec.router.scheduler.config.ref: Invalid value: "cm"`, "not a list"},
		},
		"KVEventsFlagsAgree": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--block-size=64", "--prefix-caching-hash-algo", "sha256_cbor"]`) +
				`, "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-scorer", "parameters": {"tokenProcessorConfig": {"blockSize": 64}}}]}}}}}`,
		},
		"KVEventsBlockSizeMismatch": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--block-size", "32"]`) +
				`, "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-scorer", "parameters": {"tokenProcessorConfig": {"blockSize": 64}}}]}}}}}`,
			want: []string{"spec.template.containers[main].args[0]", "block size must equal the picker's, 64 from spec.router.scheduler.config.inline.plugins[0].parameters.tokenProcessorConfig.blockSize"},
		},
		"KVEventsBlockSizeDefaultFromRef": {
			spec:            `{` + model + `, "prefill": {"template": ` + main(`"args": ["--block-size=64"]`) + `}, "router": {"scheduler": {"config": {"ref": {"name": "cm"}}}}}`,
			pickerConfigRef: "plugins:\n- type: token-producer\n- type: precise-prefix-cache-producer\n",
			want:            []string{"spec.prefill.template.containers[main].args[0]", "16 from the default of the picker's KV-events plugins"},
		},
		"KVEventsPluginsDisagree": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"ref": {"name": "cm"}}}}}`,
			pickerConfigRef: "plugins:\n- type: precise-prefix-cache-producer\n  parameters: {tokenProcessorConfig: {blockSize: 64, hashSeed: \"42\"}}\n" +
				"- type: precise-prefix-cache-producer\n  name: second\n  parameters: {tokenProcessorConfig: {blockSize: 32, hashSeed: \"7\"}}\n",
			want: []string{"spec.router.scheduler.config.ref (the ConfigMap's plugins[1].parameters.tokenProcessorConfig.blockSize): Invalid value: 32: disagrees with",
				"plugins[1].parameters.tokenProcessorConfig.hashSeed): Invalid value: \"7\""},
		},
		"KVEventsUsersConfigAccepted": {
			spec: `{` + model + `, "template": ` + main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--kv-events-config '{}' --block-size 16"}]`) +
				`, "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "token-producer"}]}}}}}`,
		},
		"KVEventsHashAlgoAndSeed": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--prefix-caching-hash-algo=builtin"], "env": [{"name": "PYTHONHASHSEED", "value": "1"}]`) +
				`, "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-scorer", "parameters": {"tokenProcessorConfig": {"hashSeed": "42"}}}]}}}}}`,
			want: []string{"spec.template.containers[main].args[0]", "hashes blocks with sha256_cbor",
				"spec.template.containers[main].env[PYTHONHASHSEED]", `must equal spec.router.scheduler.config.inline.plugins[0].parameters.tokenProcessorConfig.hashSeed ("42")`},
		},
		"KVEventsCentralModeOnly": {
			spec: `{` + model + `, "router": {"scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-scorer", "parameters": {"kvEventsConfig": {"discoverPods": true, "zmqEndpoint": "tcp://*:6000"}}}]}}}}}`,
			want: []string{"kvEventsConfig.discoverPods: Invalid value: true", "central mode",
				`kvEventsConfig.zmqEndpoint: Invalid value: "tcp://*:6000"`, "write tcp://*:5557"},
		},
		"KVEventsIgnoredWithPoolRef": {
			spec: `{` + model + `, "template": ` + main(`"args": ["--block-size=8"]`) +
				`, "router": {"scheduler": {"pool": {"ref": {"name": "p"}}, "config": {"inline": {"plugins": [{"type": "token-producer"}]}}}}}`,
		},
		"PickerReservedFlag": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--v=2", "--pool-name=other"]}]}}}}`,
			want: []string{"spec.router.scheduler.template.containers[main].args[1]", "--pool-name is set by the function"},
		},
		"PickerReservedFlagOneDash": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["-v=2", "-config-file", "/x"]}]}}}}`,
			want: []string{"spec.router.scheduler.template.containers[main].args[1]", "--config-file is set by the function"},
		},
		"PickerOwnFlags": {
			// Owned flags repeating the function's values are accepted.
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--pool-name", "m-inference-pool", "--pool-namespace=ns", "--grpc-port", "9002", "--grpc-health-port=9003"]}]}}}}`,
		},
		"PickerOtherPool": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--pool-name", "other"]}]}}}}`,
			want: []string{"spec.router.scheduler.template.containers[main].args[0]", "--pool-name is set by the function: the function sets it to m-inference-pool"},
		},
		"PickerEndpointSelector": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--endpoint-selector=app=m"]}]}}}}`,
			want: []string{"spec.router.scheduler.template.containers[main].args[0]", "--endpoint-selector is set by the function", "refuses it next to --pool-name"},
		},
		"PickerKServeTLSFlags": {
			// KServe's configs set these; they keep the wiring.
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--secure-serving", "--cert-path", "/etc/ssl/certs", "--metrics-endpoint-auth=false"]}]}}}}`,
		},
		"PickerLeaderElectionWithReplicas": {
			spec: `{` + model + `, "router": {"scheduler": {"replicas": 2, "template": {"containers": [{"name": "main", "args": ["--ha-enable-leader-election"]}]}}}}`,
		},
		"PickerLeaderElectionAlone": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--ha-enable-leader-election"]}]}}}}`,
			want: []string{"args[0]: Forbidden: --ha-enable-leader-election is set by the function", "replicas above 1"},
		},
		"PickerTemplateCredential": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "env": [{"name": "HF_TOKEN", "value": "x"}]}]}}}}`,
			want: []string{"spec.router.scheduler.template.containers[main].env[HF_TOKEN].value", "by reference"},
		},
		"PickerTemplateTypo": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"containers": [{"name": "main", "resourcez": {}}]}}}}`,
			want: []string{"spec.router.scheduler.template.containers[0].resourcez", "not a field of a pod spec"},
		},
		"PickerTemplatePodTypo": {
			spec: `{` + model + `, "router": {"scheduler": {"template": {"nodeSelektor": {"a": "b"}}}}}`,
			want: []string{"spec.router.scheduler.template.nodeSelektor", "not a field of a pod spec"},
		},
		// spec.scaling, spec.prefill.scaling
		"ScalingWVAHPA": {
			spec: `{` + model + `, "scaling": {"minReplicas": 1, "maxReplicas": 4, "wva": {"variantCost": "2.5", "hpa": {"behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}}}}}}`,
		},
		"ScalingWVAKEDAScaleToZero": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"keda": {"idleReplicaCount": 0, "cooldownPeriod": 0, "fallback": {"failureThreshold": 3, "replicas": 1}}}}}`,
		},
		"ScalingDirectKEDA": {
			spec: `{` + model + `, "scaling": {"minReplicas": 2, "maxReplicas": 4, "keda": {"pollingInterval": 15, "idleReplicaCount": 1, "triggers": [{"type": "prometheus", "metadata": {"query": "x"}}]}}}`,
		},
		"ScalingWithReplicas": {
			spec: `{` + model + `, "replicas": 2, "scaling": {"maxReplicas": 4, "wva": {"hpa": {}}}}`,
			want: []string{"spec.replicas: Forbidden: replicas and scaling are mutually exclusive", "remove spec.replicas"},
		},
		"PrefillScalingWithReplicas": {
			spec: `{` + model + `, "prefill": {"replicas": 1, "scaling": {"maxReplicas": 4, "wva": {"hpa": {}}}}}`,
			want: []string{"spec.prefill.replicas: Forbidden: replicas and scaling are mutually exclusive"},
		},
		"ScalingNoMaxReplicas": {
			spec: `{` + model + `, "scaling": {"wva": {"hpa": {}}}}`,
			want: []string{"spec.scaling.maxReplicas: Invalid value: 0", "is required and must be 1 or more"},
		},
		"ScalingMinZero": {
			spec: `{` + model + `, "scaling": {"minReplicas": 0, "maxReplicas": 2, "wva": {"hpa": {}}}}`,
			want: []string{"spec.scaling.minReplicas: Invalid value: 0", "idleReplicaCount: 0"},
		},
		"ScalingMinAboveMax": {
			spec: `{` + model + `, "scaling": {"minReplicas": 3, "maxReplicas": 2, "wva": {"hpa": {}}}}`,
			want: []string{"spec.scaling.minReplicas: Invalid value: 3", "minReplicas cannot exceed maxReplicas (2)"},
		},
		"ScalingNoMode": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2}}`,
			want: []string{"spec.scaling: Required value: either wva or keda must be specified"},
		},
		"ScalingBothModes": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2, "wva": {"hpa": {}}, "keda": {"triggers": [{"type": "cpu", "metadata": {"value": "50"}}]}}}`,
			want: []string{"spec.scaling.keda: Forbidden: wva and keda are mutually exclusive"},
		},
		"ScalingWVANoActuator": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2, "wva": {}}}`,
			want: []string{"spec.scaling.wva: Required value: either hpa or keda must be specified as the actuator backend"},
		},
		"ScalingWVABothActuators": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2, "wva": {"hpa": {}, "keda": {}}}}`,
			want: []string{"spec.scaling.wva.keda: Forbidden: hpa and keda are mutually exclusive"},
		},
		"ScalingVariantCost": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2, "wva": {"variantCost": "-1", "hpa": {}}}}`,
			want: []string{`spec.scaling.wva.variantCost: Invalid value: "-1"`, "non-negative decimal"},
		},
		"ScalingKEDANoTriggers": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2, "keda": {"triggers": []}}}`,
			want: []string{"spec.scaling.keda.triggers: Required value: at least one trigger is required"},
		},
		"ScalingKEDATriggerNoType": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 2, "keda": {"triggers": [{"metadata": {}}]}}}`,
			want: []string{"spec.scaling.keda.triggers[0].type: Required value"},
		},
		"ScalingIdleNotBelowMin": {
			spec: `{` + model + `, "scaling": {"minReplicas": 2, "maxReplicas": 4, "keda": {"idleReplicaCount": 2, "triggers": [{"type": "cpu", "metadata": {"value": "50"}}]}}}`,
			want: []string{"spec.scaling.keda.idleReplicaCount: Invalid value: 2", "must be less than minReplicas (2)"},
		},
		"ScalingWVAIdleNotBelowDefaultMin": {
			// minReplicas defaults to 1, as KServe's CRD has it.
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"keda": {"idleReplicaCount": 1}}}}`,
			want: []string{"spec.scaling.wva.keda.idleReplicaCount: Invalid value: 1", "must be less than minReplicas (1)"},
		},
		"ScalingKEDAPollingInterval": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"keda": {"pollingInterval": 0, "cooldownPeriod": -1}}}}`,
			want: []string{"spec.scaling.wva.keda.pollingInterval: Invalid value: 0", "spec.scaling.wva.keda.cooldownPeriod: Invalid value: -1"},
		},
		"ScalingKEDAHPAName": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "keda": {"advanced": {"horizontalPodAutoscalerConfig": {"name": "mine"}}, "triggers": [{"type": "cpu", "metadata": {"value": "50"}}]}}}`,
			want: []string{"spec.scaling.keda.advanced.horizontalPodAutoscalerConfig.name: Forbidden", "the controller manages the HPA name"},
		},
		"ScalingWVAScalingModifiers": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"keda": {"advanced": {"scalingModifiers": {"formula": "a + b"}}}}}}`,
			want: []string{"spec.scaling.wva.keda.advanced.scalingModifiers: Forbidden: scalingModifiers must not be set; WVA controls"},
		},
		"ScalingDirectKEDAScalingModifiers": {
			// Only WVA owns the formula: direct KEDA may combine triggers.
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "keda": {"advanced": {"scalingModifiers": {"formula": "a + b", "target": "2"}}, "triggers": [{"type": "cpu", "name": "a", "metadata": {"value": "50"}}, {"type": "memory", "name": "b", "metadata": {"value": "50"}}]}}}`,
		},
		"ScalingPrefillOtherMode": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"hpa": {}}}, "prefill": {"scaling": {"maxReplicas": 2, "keda": {"triggers": [{"type": "cpu", "metadata": {"value": "50"}}]}}}}`,
			want: []string{`spec.prefill.scaling: Invalid value: "scaling.keda"`, "spec.scaling uses scaling.wva.hpa"},
		},
		"ScalingPrefillOtherActuator": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"hpa": {}}}, "prefill": {"scaling": {"maxReplicas": 2, "wva": {"keda": {}}}}}`,
			want: []string{`spec.prefill.scaling: Invalid value: "scaling.wva.keda"`, "same scaling mode and actuator"},
		},
		"ScalingPrefillSameActuator": {
			spec: `{` + model + `, "scaling": {"maxReplicas": 4, "wva": {"keda": {}}}, "prefill": {"scaling": {"maxReplicas": 2, "wva": {"variantCost": "5", "keda": {}}}}}`,
		},
		"ScalingPrefillOnly": {
			spec: `{` + model + `, "replicas": 2, "prefill": {"scaling": {"maxReplicas": 2, "wva": {"hpa": {}}}}}`,
		},
		// Route authentication (annotation security.opendatahub.io/enable-auth).
		"AuthAskedWithoutPlatformAuth": {
			spec:        `{` + model + `, "router": {"route": {}}}`,
			annotations: map[string]string{AnnotationEnableAuth: "true"},
			want:        []string{`metadata.annotations[security.opendatahub.io/enable-auth]: Invalid value: "true"`, "the platform authenticates no routes", "ask the platform team"},
		},
		"AuthOptOutForbidden": {
			spec:            `{` + model + `, "router": {"route": {}}}`,
			annotations:     map[string]string{AnnotationEnableAuth: "False"},
			authentication:  true,
			optOutForbidden: true,
			want:            []string{`metadata.annotations[security.opendatahub.io/enable-auth]: Invalid value: "False"`, "serviceOptOut: Disabled", "remove the annotation"},
		},
		"AuthOnRouteRefs": {
			spec:           `{` + model + `, "router": {"route": {"http": {"refs": [{"name": "mine"}]}}}}`,
			authentication: true,
			want:           []string{"spec.router.route.http.refs: Invalid value: 1", "not to routes of your own", `security.opendatahub.io/enable-auth: "false"`},
		},
		"AuthOnRouteRefsOptedOut": {
			spec:           `{` + model + `, "router": {"route": {"http": {"refs": [{"name": "mine"}]}}}}`,
			annotations:    map[string]string{AnnotationEnableAuth: "false"},
			authentication: true,
		},
		"AuthOptOutAllowed": {
			spec:           `{` + model + `, "router": {"route": {}}}`,
			annotations:    map[string]string{AnnotationEnableAuth: "false"},
			authentication: true,
		},
		"AuthAsked": {
			spec:           `{` + model + `, "router": {"route": {}}}`,
			annotations:    map[string]string{AnnotationEnableAuth: "true"},
			authentication: true,
		},
		"PickerTemplate": {
			spec: `{` + model + `, "router": {"scheduler": {"replicas": 2, "template": {"containers": [{"name": "main", "args": ["--v=4", "--kv-cache-usage-percentage-metric=vllm:kv_cache_usage_perc"]}]}}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := decodeSpecAnnotated(t, tc.spec, tc.annotations)
			svc.Platform.EmptyGatewayIsPlatform = tc.emptyGatewayIsPlatform
			svc.Platform.Authentication, svc.Platform.AuthenticationOptOut = tc.authentication, !tc.optOutForbidden
			svc.PickerConfigRef = tc.pickerConfigRef
			got := joined(Validate(svc))
			if len(tc.want) == 0 && got != "" {
				t.Fatalf("Validate(%s): want no errors, got %s", tc.spec, got)
			}
			if len(tc.want) > 0 && got == "" {
				t.Fatalf("Validate(%s): want an error mentioning %q, got none", tc.spec, tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("the errors do not mention %q:\n%s", w, got)
				}
			}
		})
	}
}
