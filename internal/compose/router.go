package compose

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Composition resource names of the traffic path.
const (
	ResourcePool                        = "scheduler-pool"
	ResourcePickerDeployment            = "scheduler-deployment"
	resourcePickerService               = "scheduler-service"
	resourcePickerServiceAccount        = "scheduler-serviceaccount"
	resourcePickerRole                  = "scheduler-role"
	resourcePickerRoleBinding           = "scheduler-rolebinding"
	resourcePickerLeaderElectionRole    = "scheduler-leader-election-role"
	resourcePickerLeaderElectionBinding = "scheduler-leader-election-rolebinding"
	resourcePickerConfig                = "scheduler-config"
	resourceObjective                   = "scheduler-objective"
	resourcePickerDestinationRule       = "scheduler-destinationrule"
	resourcePoolHealthCheckPolicy       = "scheduler-healthcheckpolicy"
	resourcePoolBackendPolicy           = "scheduler-backendpolicy"
	ResourceGateway                     = "gateway"
	ResourceRoute                       = "route"
)

// Components of the traffic path, in KServe's vocabulary.
const (
	componentScheduler = "llminferenceservice-router-scheduler"
	componentRouter    = "llminferenceservice-router"
)

// Names of the traffic path's objects. Every cross-reference (route to pool,
// pool to picker Service, picker to pool) uses these, so one call composes a
// consistent set without reading anything back.

// managedPoolName is the InferencePool the function composes.
func managedPoolName(svc string) string { return names.Child(svc, "inference-pool") }

// ManagedPoolName is the name of the InferencePool the function composes
// for the service named svc, for the Go templates of its spec
// (.GlobalConfig.InferencePoolNamespacedName), which are rendered before
// anything is composed.
func ManagedPoolName(svc string) string { return managedPoolName(svc) }

// pickerName is the endpoint picker's Deployment, Service, ServiceAccount,
// Role, RoleBinding and ConfigMap.
func pickerName(svc string) string { return names.Child(svc, "epp") }

// gatewayName is the managed Gateway.
func gatewayName(svc string) string { return names.Child(svc, "gateway") }

// routeName is the managed HTTPRoute.
func routeName(svc string) string { return names.Child(svc, "route") }

// objectiveName is the InferenceObjective carrying model.criticality.
func objectiveName(svc string) string { return names.Child(svc, "objective") }

// router composes the traffic path the spec asks for: the managed scheduler
// (pool, endpoint picker, provider extras), the managed Gateway and the
// managed HTTPRoute. Referenced pools, Gateways and routes are not composed.
func (b *builder) router() ([]Object, field.ErrorList) {
	r := b.svc.Spec.Router
	if r == nil {
		return nil, nil
	}
	var objs []Object
	var errs field.ErrorList
	if r.Scheduler != nil {
		o, e := b.scheduler()
		objs, errs = append(objs, o...), append(errs, e...)
		if b.managedScheduler() {
			objs = append(objs, b.providerExtras()...)
		}
	}
	if b.svc.ComposesGateway() {
		objs = append(objs, b.gateway()...)
	}
	rt := b.route()
	objs = append(objs, rt...)
	a, e := b.authentication(managedRoute(rt))
	objs, errs = append(objs, a...), append(errs, e...)
	return objs, errs
}

// managedScheduler is true when the function composes the pool and the
// endpoint picker, false without a scheduler or with a referenced pool.
func (b *builder) managedScheduler() bool { return b.svc.Spec.ManagedScheduler() }

// poolName is the pool the route and the objective point at: the
// referenced one, else the managed one. Empty without a scheduler.
func (b *builder) poolName() string { return poolNameOf(b.svc) }

func poolNameOf(svc *spec.Service) string {
	r := svc.Spec.Router
	switch {
	case !r.HasScheduler():
		return ""
	case r.Scheduler.Pool != nil && r.Scheduler.Pool.Ref != nil:
		return r.Scheduler.Pool.Ref.Name
	default:
		return managedPoolName(svc.Name)
	}
}

// managedRoute is the HTTPRoute among what route composed, nil if none.
func managedRoute(objs []Object) *gatewayv1.HTTPRoute {
	for _, o := range objs {
		if rt, ok := o.Object.(*gatewayv1.HTTPRoute); ok {
			return rt
		}
	}
	return nil
}
