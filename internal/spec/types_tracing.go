package spec

// TracingSpec exports OpenTelemetry traces from vLLM and the endpoint
// picker. A field left out takes KServe's default from the built-in preset
// tracing (internal/config/presets/tracing.yaml, KServe's
// kserve-config-llm-tracing), so tracing: {} traces with all defaults.
type TracingSpec struct {
	// ExporterEndpoint is the OTLP collector traces go to
	// (OTEL_EXPORTER_OTLP_ENDPOINT, vLLM's --otlp-traces-endpoint).
	// Default http://otel-collector:4317.
	// +optional
	ExporterEndpoint string `json:"exporterEndpoint,omitempty"`

	// Sampler is OTEL_TRACES_SAMPLER. Default parentbased_traceidratio.
	// +optional
	Sampler string `json:"sampler,omitempty"`

	// SamplerArg is OTEL_TRACES_SAMPLER_ARG: for the ratio samplers the
	// share of traces kept, 0 to 1. Default "0.05".
	// +optional
	SamplerArg string `json:"samplerArg,omitempty"`

	// Exporter is OTEL_TRACES_EXPORTER. Default otlp.
	// +optional
	Exporter string `json:"exporter,omitempty"`
}
