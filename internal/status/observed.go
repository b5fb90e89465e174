package status

import (
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// specsRead are the kinds, by apiVersion/kind, whose observed spec the
// status reads: a Gateway's listeners (the URL), an HTTPRoute's parents
// and hostnames, an InferencePool's endpoint picker. Of every other
// observed object it reads only the metadata and the status, so the
// function need not decode the rest of what Crossplane sends on every
// call (ObservedFields).
var specsRead = map[string]bool{
	gatewayv1.GroupVersion.String() + "/" + wiring.GatewayKind: true,
	gatewayv1.GroupVersion.String() + "/" + wiring.RouteKind:   true,
	giev1.GroupVersion.String() + "/" + wiring.PoolKind:        true,
}

// ObservedFields are the top-level fields of an observed composed object
// of that apiVersion and kind that Compute reads.
func ObservedFields(apiVersion, kind string) []string {
	if specsRead[apiVersion+"/"+kind] {
		return []string{"apiVersion", "kind", "metadata", "spec", "status"}
	}
	return []string{"apiVersion", "kind", "metadata", "status"}
}
