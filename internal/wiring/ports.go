package wiring

import (
	"strconv"
	"strings"
)

// Ports that composed objects must agree on.
const (
	// ModelServerPort is where every pod of the pool serves: vLLM's
	// OpenAI server, the port every llm-d and KServe preset uses, or the
	// routing sidecar in front of vLLM on decode pods. The workload
	// Service, the pool's target port and the probes all name it.
	ModelServerPort = 8000
	// VLLMPortBehindSidecar is where vLLM listens on decode pods, the
	// routing sidecar's default --model-server-port since llm-d-router
	// v0.10.
	VLLMPortBehindSidecar = 8200
	// NIXLPort is vLLM's NIXL side channel, which KV transfers between
	// prefill and decode pods are negotiated on.
	NIXLPort = 5600

	// PickerGRPCPort serves Envoy's ext-proc protocol to the gateway: the
	// pool's endpointPickerRef and the picker Service send it there.
	PickerGRPCPort = 9002
	// PickerHealthPort serves the picker's gRPC health checks.
	PickerHealthPort = 9003
	// PickerMetricsPort serves the picker's Prometheus metrics.
	PickerMetricsPort = 9090

	// GatewayPort is the HTTP listener of managed Gateways.
	GatewayPort = 80

	// RayPort is the Ray head's port on a pipeline group's leader, which
	// the group's other stages join.
	RayPort = 6379
	// DataParallelRPCPort is where the data parallel ranks of a group
	// coordinate when spec.parallelism.dataRPCPort is unset, as in
	// KServe's presets.
	DataParallelRPCPort = 5555
)

// NIXLSideChannelPort is where data parallel rank r's NIXL side channel
// listens: vLLM adds the rank to VLLM_NIXL_SIDE_CHANNEL_PORT
// (real-binaries.md, mismatch 6).
func NIXLSideChannelPort(rank int32) int32 { return NIXLPort + rank }

// NIXLPortName names rank r's side channel among a container's ports: the
// pods declare one per rank, so that a NetworkPolicy can admit them.
func NIXLPortName(rank int32) string {
	if rank == 0 {
		return nixlPortPrefix
	}
	return nixlPortPrefix + "-" + strconv.Itoa(int(rank))
}

// IsNIXLPortName is true for a name NIXLPortName gives.
func IsNIXLPortName(name string) bool {
	if name == nixlPortPrefix {
		return true
	}
	rest, ok := strings.CutPrefix(name, nixlPortPrefix+"-")
	if !ok {
		return false
	}
	n, err := strconv.Atoi(rest)
	return err == nil && n > 0 && NIXLPortName(int32(n)) == name
}

const nixlPortPrefix = "nixl"
