package wiring

import "strings"

// Model-based routing, KServe's vocabulary.
const (
	// AnnotationModelRouting on a Gateway set to "false" opts the routes
	// attached to it out of model-based routing (in mode enabled).
	AnnotationModelRouting = "serving.kserve.io/model-based-routing-enabled"
	// LabelRoutingGroup marks a service's HTTPRoute with its route group,
	// as KServe labels both.
	LabelRoutingGroup = "serving.kserve.io/routing-group"
)

// publishers begins every fully qualified model name.
const publishers = "publishers/"

// PublisherPathPrefix begins the publisher path of every model,
// /publishers/<namespace>/models/<model>, which addresses the model rather
// than one service serving it.
const PublisherPathPrefix = "/" + publishers

// QualifiedModelName is a model's fully qualified name in a namespace,
// publishers/<namespace>/models/<model>: what the model name header
// carries, and a second name vLLM serves the model under.
func QualifiedModelName(namespace, model string) string {
	return publishers + namespace + "/models/" + model
}

// ModelNameIn is name without the qualification of namespace, and whether
// it had it: model for publishers/<namespace>/models/<model>.
func ModelNameIn(namespace, name string) (string, bool) {
	return strings.CutPrefix(name, QualifiedModelName(namespace, ""))
}
