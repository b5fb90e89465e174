package v1beta1

// Monitoring composes prometheus-operator (monitoring.coreos.com/v1)
// PodMonitors: one for vLLM's /metrics on every model-server pod, and one
// for the endpoint picker's metrics port, authenticated as
// router.scheduler.metricsAuth says. The platform's Prometheus finds them
// by its podMonitorSelector (they carry app.kubernetes.io/part-of:
// llminferenceservice and Labels below) and its
// podMonitorNamespaceSelector.
type Monitoring struct {
	// PodMonitors switches the PodMonitors on. Off by default: the
	// PodMonitor CRD must be installed, and Crossplane allowed to manage
	// podmonitors (and, with metricsAuth TokenReview, Secrets).
	// +optional
	PodMonitors bool `json:"podMonitors,omitempty"`

	// Labels added to the PodMonitors, e.g. release: prometheus for a
	// Prometheus whose podMonitorSelector matches it.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}
