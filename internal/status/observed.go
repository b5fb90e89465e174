package status

import (
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// specsRead are the kinds, by apiVersion/kind, whose observed spec the
// status reads, and the fields of it that it reads: a Gateway's listeners
// (the URL), an HTTPRoute's parents, hostnames and first rule (the URL's
// path), an InferencePool's endpoint picker. Each field is given with how
// many items of a list are read, 0 for all. Of every other observed object
// the status reads only the metadata and the status, so the function need
// not decode the rest of what Crossplane sends on every call
// (ObservedFields): of a route, the rules after the first are most of it.
var specsRead = map[string]map[string]int{
	gatewayv1.GroupVersion.String() + "/" + wiring.GatewayKind: {"listeners": 0},
	gatewayv1.GroupVersion.String() + "/" + wiring.RouteKind:   {"parentRefs": 0, "hostnames": 0, "rules": 1},
	giev1.GroupVersion.String() + "/" + wiring.PoolKind:        {"endpointPickerRef": 0},
}

// ObservedFields are the top-level fields of an observed composed object
// of that apiVersion and kind that Compute reads.
func ObservedFields(apiVersion, kind string) []string {
	if specsRead[apiVersion+"/"+kind] != nil {
		return []string{"apiVersion", "kind", "metadata", "spec", "status"}
	}
	return []string{"apiVersion", "kind", "metadata", "status"}
}

// ObservedSpec are the fields of the spec of an observed composed object
// of that apiVersion and kind that Compute reads, each with how many items
// of a list it reads (0 for all); nil when it reads no spec.
func ObservedSpec(apiVersion, kind string) map[string]int {
	return specsRead[apiVersion+"/"+kind]
}
