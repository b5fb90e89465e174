package status

import (
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// specsRead are the kinds, by apiVersion/kind, whose observed spec the
// status reads, and the fields of it that it reads, each with the fields
// it reads of each item of a list (nil for all): a Gateway's listeners
// (the URL), an HTTPRoute's parents, hostnames and its rules' matches and
// backends (the URL's paths, routePaths), an InferencePool's endpoint
// picker. Of every other observed object the status reads only the
// metadata and the status, so the function need not decode the rest of
// what Crossplane sends on every call (ObservedFields): of a route, the
// rules' filters and timeouts are much of it.
var specsRead = map[string]map[string][]string{
	gatewayv1.GroupVersion.String() + "/" + wiring.GatewayKind: {"listeners": nil},
	gatewayv1.GroupVersion.String() + "/" + wiring.RouteKind:   {"parentRefs": nil, "hostnames": nil, "rules": {"matches", "backendRefs"}},
	giev1.GroupVersion.String() + "/" + wiring.PoolKind:        {"endpointPickerRef": nil},
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
// of that apiVersion and kind that Compute reads, each with the fields of
// each item of a list it reads (nil for all); nil when it reads no spec.
func ObservedSpec(apiVersion, kind string) map[string][]string {
	return specsRead[apiVersion+"/"+kind]
}
