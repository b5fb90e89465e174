package wiring

import (
	"strconv"
	"strings"

	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
)

// VLLMCommand starts vLLM's OpenAI-compatible server. Multi-node pods start
// it through a launcher instead, so a template may not replace it there.
var VLLMCommand = []string{"vllm", "serve"}

// vllmFlags are vLLM flags the function owns: setting them in a template
// would bypass the GPU arithmetic or break the Service and probes. The
// reason says which spec field to use instead.
var vllmFlags = map[string]string{
	"--port":                     "the port is fixed at " + strconv.Itoa(ModelServerPort) + ", which the Service, the probes and the pool target",
	"--served-model-name":        "set spec.model.name",
	"--tensor-parallel-size":     "set spec.parallelism.tensor",
	"-tp":                        "set spec.parallelism.tensor",
	"--pipeline-parallel-size":   "set spec.parallelism.pipeline",
	"-pp":                        "set spec.parallelism.pipeline",
	"--data-parallel-size":       "set spec.parallelism.data",
	"-dp":                        "set spec.parallelism.data",
	"--data-parallel-size-local": "set spec.parallelism.dataLocal",
	"-dpl":                       "set spec.parallelism.dataLocal",
	"--data-parallel-rpc-port":   "set spec.parallelism.dataRPCPort",
	"--data-parallel-address":    "the function points every pod of a group at its leader",
	"--data-parallel-start-rank": "the function computes each pod's first rank",
	"--data-parallel-hybrid-lb":  "set by the function for multi-node data parallelism",
	"--headless":                 "every pod of a data parallel group serves its own ranks",
	"--enable-expert-parallel":   "set spec.parallelism.expert",
	"--api-key":                  "a key in args lands in etcd in clear text: set VLLM_API_KEY from a Secret (valueFrom.secretKeyRef)",
}

// ReservedVLLMFlag returns the flag arg sets and why the function owns it,
// or false when arg sets no such flag.
func ReservedVLLMFlag(arg string) (flag, why string, reserved bool) {
	flag, _, _ = strings.Cut(arg, "=")
	why, reserved = vllmFlags[flag]
	return flag, why, reserved
}

// pickerFlags are endpoint picker flags the function owns: each must agree
// with an object composed next to the picker. The picker takes the last
// value of a repeated flag, so an appended --pool-name would silently
// detach it from the composed pool. The reason says what to change instead.
var pickerFlags = map[string]string{
	"--pool-name":                 "the picker serves the pool composed for this service, or spec.router.scheduler.pool.ref",
	"--pool-namespace":            "the pool lives in the service's namespace",
	"--pool-group":                "the composed pool is " + giev1.GroupName,
	"--grpc-port":                 "the pool and the picker Service send ext-proc to port " + strconv.Itoa(PickerGRPCPort),
	"--grpc-health-port":          "the probes check port " + strconv.Itoa(PickerHealthPort),
	"--metrics-port":              "the picker Service exposes metrics on port " + strconv.Itoa(PickerMetricsPort),
	"--config-file":               "set spec.router.scheduler.config (inline or ref)",
	"--config-text":               "set spec.router.scheduler.config.inline",
	"--ha-enable-leader-election": "set spec.router.scheduler.replicas above 1, which also grants the lease permissions",
}

// ReservedPickerFlag returns the flag arg sets, spelled with two dashes,
// and why the function owns it, or false. The picker's flag parser takes
// one dash or two, so both are recognised.
func ReservedPickerFlag(arg string) (flag, why string, reserved bool) {
	if !strings.HasPrefix(arg, "-") {
		return "", "", false
	}
	flag, _, _ = strings.Cut("--"+strings.TrimLeft(arg, "-"), "=")
	why, reserved = pickerFlags[flag]
	return flag, why, reserved
}
