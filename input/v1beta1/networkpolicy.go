package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// NetworkPolicy says who may reach the pods the function composes. The
// function composes networking.k8s.io/v1 NetworkPolicies that select the
// model-server pods and the endpoint picker's pods, so that they admit only
// the flows a served model needs: the gateway's pods on the serving port
// and the picker's ext-proc port, the picker on the model servers' port,
// prefill and decode pods to each other, the pods of one multi-node group
// to each other, and the monitoring namespaces on the metrics ports.
// Policies are additive: a platform admits more with policies of its own.
type NetworkPolicy struct {
	// Mode is Enabled, the default, or Disabled, for a cluster whose
	// network plugin enforces no NetworkPolicy or a platform that writes
	// its own.
	// +optional
	// +kubebuilder:validation:Enum=Enabled;Disabled
	Mode Switch `json:"mode,omitempty"`

	// Gateway is who the gateway's pods are, when they are not where the
	// function looks for them. Unset, the policies admit, for each Gateway
	// the route attaches to, the pods Istio deploys for it (label
	// gateway.networking.k8s.io/gateway-name in the Gateway's namespace)
	// and the proxies Envoy Gateway deploys for it (labels
	// gateway.envoyproxy.io/owning-gateway-name and -namespace, in
	// envoy-gateway-system or the Gateway's namespace). Set, it replaces
	// both.
	// +optional
	Gateway *NetworkPolicyGateway `json:"gateway,omitempty"`

	// Monitoring names the namespaces whose pods may scrape vLLM's and the
	// picker's metrics ports, e.g. the platform Prometheus's namespace.
	// +optional
	Monitoring NetworkPolicyMonitoring `json:"monitoring,omitempty"`
}

// NetworkPolicyGateway selects the gateway's pods: the pods podSelector
// matches in the namespaces named or selected, or in the namespace of each
// Gateway the route attaches to when neither is set.
type NetworkPolicyGateway struct {
	// Namespaces the gateway's pods run in, by name. Not with
	// namespaceSelector.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`

	// NamespaceSelector selects the namespaces the gateway's pods run in
	// by their labels. Not with namespaces.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`

	// PodSelector selects the gateway's pods in those namespaces; unset,
	// every pod there.
	// +optional
	PodSelector *metav1.LabelSelector `json:"podSelector,omitempty"`
}

// NetworkPolicyMonitoring names who scrapes metrics.
type NetworkPolicyMonitoring struct {
	// Namespaces whose pods may reach vLLM's metrics port on the
	// model-server pods and the picker's metrics port.
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`
}
