package wiring

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
)
