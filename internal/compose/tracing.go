package compose

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// OpenTelemetry service names, KServe's: the main workload is the decode
// one even without prefill/decode.
const (
	tracingServiceDecode  = "inference-server-decode"
	tracingServicePrefill = "inference-server-prefill"
	tracingServicePicker  = "inference-scheduler"
)

// OpenTelemetry variables the function sets on traced containers.
const (
	envOTELNodeName = "OTEL_RESOURCE_ATTRIBUTES_NODE_NAME"
	envOTELPodName  = "OTEL_RESOURCE_ATTRIBUTES_POD_NAME"
)

// tracingArgs are vLLM's tracing flags: spans to the collector, with the
// model's and the workers' detailed timings. A user's flag replaces the
// function's (mergeVLLMArgs: they are defaults). spec.tracing holds KServe's
// defaults by now (the tracing preset); without an endpoint, which only a
// layer that sets it to "" leaves, vLLM is not traced, as in KServe.
func (b *builder) tracingArgs() []string {
	t := b.svc.Spec.Tracing
	if t == nil || t.ExporterEndpoint == "" {
		return nil
	}
	return []string{"--otlp-traces-endpoint", t.ExporterEndpoint, "--collect-detailed-traces", "all"}
}

// tracingServiceName is the OpenTelemetry service name of a role's vLLM.
func (r role) tracingServiceName() string {
	if r.name == "prefill" {
		return tracingServicePrefill
	}
	return tracingServiceDecode
}

// addTracingEnv sets OpenTelemetry's variables on c, a container of the
// service traced as service, where c does not set them already: the
// collector, the exporter and sampler, and resource attributes naming the
// namespace, node, pod and service, as KServe does. The node and pod come
// from the downward API, through variables listed before the one that
// refers to them. A field a layer emptied is left to the SDK's default.
// vLLM's containers get nothing without an endpoint (vllm true), as in
// KServe; the picker does.
func (b *builder) addTracingEnv(c *corev1.Container, service string, vllm bool) {
	t := b.svc.Spec.Tracing
	if t == nil || (vllm && t.ExporterEndpoint == "") {
		return
	}
	field := func(name, path string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}}
	}
	attrs := strings.Join([]string{
		"k8s.namespace.name=" + b.svc.Namespace,
		"k8s.node.name=$(" + envOTELNodeName + ")",
		"k8s.pod.name=$(" + envOTELPodName + ")",
		"llmisvc.name=" + b.svc.Name,
	}, ",")
	for _, e := range []corev1.EnvVar{
		{Name: "OTEL_SERVICE_NAME", Value: service},
		{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: t.ExporterEndpoint},
		{Name: "OTEL_TRACES_EXPORTER", Value: t.Exporter},
		{Name: "OTEL_TRACES_SAMPLER", Value: t.Sampler},
		{Name: "OTEL_TRACES_SAMPLER_ARG", Value: t.SamplerArg},
		field(envOTELNodeName, "spec.nodeName"),
		field(envOTELPodName, "metadata.name"),
		{Name: "OTEL_RESOURCE_ATTRIBUTES", Value: attrs},
	} {
		if e.Value != "" || e.ValueFrom != nil {
			setEnv(c, e)
		}
	}
}
