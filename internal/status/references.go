package status

import (
	"github.com/crossplane/function-sdk-go/resource/composed"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

// ReasonRefsInvalid is used for a referenced object that does not exist:
// KServe's word for it.
const ReasonRefsInvalid = "RefsInvalid"

// A Reference is an object the spec names instead of composing it, as
// Crossplane resolved it.
type Reference struct {
	// Kind of the object, as a user would look for it: Gateway.
	Kind string
	// Key is the object's namespace and name.
	Key types.NamespacedName
	// Resolved is false until Crossplane has read the object for us.
	Resolved bool
	// Object is nil when Crossplane found no such object.
	Object *unstructured.Unstructured
}

// String names the object the way a user would look for it.
func (r Reference) String() string { return r.Kind + " " + r.Key.String() }

// health of a referenced object: it must exist and be healthy, like a
// composed one, but its absence is the user's to fix.
func (r Reference) health() Health {
	switch {
	case !r.Resolved:
		return Health{Reason: ReasonPending, Message: "waiting for Crossplane to read it"}
	case r.Object == nil:
		return Health{Reason: ReasonRefsInvalid, Message: "does not exist"}
	default:
		return Check(&composed.Unstructured{Unstructured: *r.Object})
	}
}

// References are the objects the router spec names, each once: Gateways
// (named in the spec, or parents of referenced routes), HTTPRoutes and an
// InferencePool.
type References struct {
	Gateways []Reference
	Routes   []Reference
	// Pool is nil unless the spec references one.
	Pool *Reference
}

// pools is the referenced pool, if any, as a list like the others.
func (refs References) pools() []Reference {
	if refs.Pool == nil {
		return nil
	}
	return []Reference{*refs.Pool}
}

// ready is false while any referenced object is missing or unhealthy.
func (refs References) ready() bool {
	for _, rs := range [][]Reference{refs.Gateways, refs.Routes, refs.pools()} {
		for _, r := range rs {
			if !r.health().Ready {
				return false
			}
		}
	}
	return true
}
