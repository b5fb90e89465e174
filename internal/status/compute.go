package status

import (
	"github.com/crossplane/function-sdk-go/resource"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/diagnose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Input is everything status is computed from: what the function composes,
// what Crossplane observed and read, and what the spec was made of.
type Input struct {
	// Composed is what the function composes on this call.
	Composed *compose.Result
	// Service is the merged spec the function composed and who it is:
	// which parts of the traffic path it has, and the model names served.
	Service *spec.Service
	// Observed are the composed resources as Crossplane observed them.
	Observed map[resource.Name]resource.ObservedComposed
	// Refs are the objects the router spec references, as Crossplane
	// read them.
	Refs References
	// Layers of configuration, lowest precedence first.
	Layers []config.Layer
	// GPUResource is the extended resource GPUs are counted in.
	GPUResource corev1.ResourceName
	// Diagnoses are what the pods of the workloads that are not ready
	// (Unready) say, by composition resource name.
	Diagnoses map[resource.Name]diagnose.Diagnosis

	// Stopped is true for a service the stop annotation stops: Composed
	// is then what it would compose, none of which is desired (see
	// stop.go).
	Stopped bool
	// StopWarning is why the configuration of a stopped service could not
	// be composed; empty when it could.
	StopWarning string
	// Previous are the types of the conditions the XR carries, from
	// earlier calls.
	Previous []string

	// Peers are the other services of the namespace, read for route
	// groups and model-name collisions; nil when the service reads none.
	Peers []Peer
}

// router is the spec's router, nil without one.
func (in Input) router() *spec.RouterSpec {
	if in.Service == nil {
		return nil
	}
	return in.Service.Spec.Router
}

// Output is readiness and status, for the response.
type Output struct {
	// Resources is the readiness of each composed resource, by composition
	// resource name.
	Resources map[resource.Name]bool
	// Conditions for the XR and its claim, in the order to report them.
	Conditions []Condition
	// Ready is true when every composed and referenced object is ready.
	Ready bool
	// RefsReady is false while a referenced object is missing or
	// unhealthy. Crossplane derives the XR's readiness from what it
	// composes only, so the XR must then be held not ready explicitly.
	RefsReady bool
	// Status is the part of the XR's status the function owns.
	Status spec.LLMInferenceServiceStatus
	// Stopped is true for a stopped service: the XR must be held not
	// ready, although it composes nothing that could be unready.
	Stopped bool
	// Warnings are Warning results for the XR and its claim: diverging
	// route group members, model names another service serves too.
	Warnings []string
}

// Compute is the readiness of each composed resource, the XR's conditions
// and its status. It reads observed state only, never what the function
// just asked for, and returns the same output for the same input.
func Compute(in Input) Output {
	health := composedHealth(in)
	out := Output{
		Resources: make(map[resource.Name]bool, len(health)),
		Ready:     true,
		RefsReady: in.Refs.ready(),
	}
	for name, h := range health {
		out.Resources[name] = h.Ready
		out.Ready = out.Ready && h.Ready
	}
	conds, _ := aggregate(TypeWorkloadsReady, ReasonAvailable, append(workloadParts(in.Composed.Workloads, health), scalingParts(in.Composed.Scalers, health)...))
	if in.router() != nil {
		router, ready := aggregate(TypeRouterReady, ReasonReady, routerParts(in.Composed.Objects, health, in.Refs))
		conds = append(conds, router...)
		out.Ready = out.Ready && ready
	}
	out.Conditions = conds
	out.Ready = out.Ready && out.RefsReady
	if in.Stopped {
		return stopped(in, out)
	}
	out.Status = xrStatus(in)
	peerConditions(in, &out)
	return out
}

// peerConditions adds what the peers say of the service: its route
// group's conditions and status, and model-name collisions. None of it is
// part of Ready: a canary member serves whatever its peers do.
func peerConditions(in Input, out *Output) {
	if in.Service == nil {
		return
	}
	g := RouteGroup(in.Service, in.Peers)
	conds, warns := groupConditions(in.Service, g, in.Previous)
	out.Conditions, out.Warnings = append(out.Conditions, conds...), append(out.Warnings, warns...)
	conds, warns = collisionConditions(in.Service, in.Peers, in.Previous)
	out.Conditions, out.Warnings = append(out.Conditions, conds...), append(out.Warnings, warns...)
	if g != nil {
		if out.Status.Router == nil {
			out.Status.Router = &spec.RouterStatus{}
		}
		out.Status.Router.Group = &spec.RouteGroupStatus{Name: g.Name, Members: g.Members}
	}
}

// composedHealth is the health of every composed resource as observed.
func composedHealth(in Input) map[resource.Name]Health {
	health := make(map[resource.Name]Health, len(in.Composed.Objects))
	for _, o := range in.Composed.Objects {
		health[o.Name] = observe(in.Observed, o.Name)
	}
	diagnosed(health, in.Diagnoses)
	// A pool is accepted by the gateways whose routes use it. Without a
	// route no gateway ever will, and waiting for it would keep the XR
	// unready forever; KServe scopes the check to the gateways in use too.
	if h, ok := health[compose.ResourcePool]; ok && !h.Ready && !in.router().HasRoute() {
		if o, seen := in.Observed[compose.ResourcePool]; seen && o.Resource != nil {
			health[compose.ResourcePool] = Health{Ready: true}
		}
	}
	return health
}
