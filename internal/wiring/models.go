package wiring

// Model-based routing, KServe's vocabulary.
const (
	// AnnotationModelRouting on a Gateway set to "false" opts the routes
	// attached to it out of model-based routing (in mode enabled).
	AnnotationModelRouting = "serving.kserve.io/model-based-routing-enabled"
	// LabelRoutingGroup marks a service's HTTPRoute with its route group,
	// as KServe labels both.
	LabelRoutingGroup = "serving.kserve.io/routing-group"
)

// QualifiedModelName is a model's fully qualified name in a namespace,
// publishers/<namespace>/models/<model>: what the model name header
// carries, and a second name vLLM serves the model under.
func QualifiedModelName(namespace, model string) string {
	return "publishers/" + namespace + "/models/" + model
}
