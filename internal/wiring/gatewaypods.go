package wiring

// How the pods of a Gateway are found: the labels and the namespace the
// Gateway implementations the function knows put on the pods they deploy
// for a Gateway. The NetworkPolicies admit them, and the test that
// evaluates the policies plays them.
const (
	// GatewayNameLabel is on the pods Istio deploys for a Gateway, with the
	// Gateway's name, in the Gateway's namespace: GEP-1762's label, which
	// Istio writes since istio/istio#47229 (2023; before it, and still
	// beside it, istio.io/gateway-name).
	GatewayNameLabel = "gateway.networking.k8s.io/gateway-name"
	// EnvoyOwningGatewayNameLabel and EnvoyOwningGatewayNamespaceLabel are
	// on the proxies Envoy Gateway deploys for a Gateway, with its name
	// and namespace (envoyproxy/gateway internal/gatewayapi).
	EnvoyOwningGatewayNameLabel      = "gateway.envoyproxy.io/owning-gateway-name"
	EnvoyOwningGatewayNamespaceLabel = "gateway.envoyproxy.io/owning-gateway-namespace"
	// EnvoyGatewayNamespace is where Envoy Gateway runs its proxies by
	// default: its controller's namespace, envoy-gateway-system in its
	// install guides. In its Gateway namespace mode they run in the
	// Gateway's namespace instead.
	EnvoyGatewayNamespace = "envoy-gateway-system"
)
