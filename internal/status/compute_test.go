package status

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// The tests compose a service m in namespace ns. Objects are typed and
// carry their GVK, as compose returns them; the names are compose's, but
// status reads them from the objects.
const serviceURL = "http://m-workload.ns.svc.cluster.local:8000"

func meta(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: "ns", Name: name} }

func deployment(name string) client.Object {
	return &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"}, ObjectMeta: meta(name)}
}

func lws(name string) client.Object {
	return &lwsv1.LeaderWorkerSet{TypeMeta: metav1.TypeMeta{APIVersion: lwsv1.GroupVersion.String(), Kind: "LeaderWorkerSet"}, ObjectMeta: meta(name)}
}

// Composed objects of the tests, by composition resource name.
var (
	mainDeployment = compose.Object{Name: compose.ResourceWorkload, Object: deployment("m-workload")}
	mainLWS        = compose.Object{Name: compose.ResourceWorkloadMN, Object: lws("m-workload-mn")}
	prefillDeploy  = compose.Object{Name: compose.ResourcePrefill, Object: deployment("m-prefill")}
	prefillLWS     = compose.Object{Name: compose.ResourcePrefillMN, Object: lws("m-prefill-mn")}
	workloadSvc    = compose.Object{Name: compose.ResourceWorkloadService, Object: &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: meta("m-workload")}}
	gateway        = compose.Object{Name: compose.ResourceGateway, Object: &gatewayv1.Gateway{TypeMeta: metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "Gateway"}, ObjectMeta: meta("m-gateway")}}
	route          = compose.Object{Name: compose.ResourceRoute, Object: &gatewayv1.HTTPRoute{TypeMeta: metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: "HTTPRoute"}, ObjectMeta: meta("m-route")}}
	pool           = compose.Object{Name: compose.ResourcePool, Object: &giev1.InferencePool{TypeMeta: metav1.TypeMeta{APIVersion: giev1.GroupVersion.String(), Kind: "InferencePool"}, ObjectMeta: meta("m-inference-pool")}}
	picker         = compose.Object{Name: compose.ResourcePickerDeployment, Object: deployment("m-epp")}
	tokenizer      = compose.Object{Name: compose.ResourceTokenizerDeployment, Object: deployment("m-tokenizer")}
)

// Observed manifests, as Crossplane reports them.
const (
	availableLWS = `
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: m-workload-mn, namespace: ns, generation: 1}
status:
  conditions: [{type: Available, status: "True", reason: AllGroupsReady}]`
	progressingLWS = `
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: m-workload-mn, namespace: ns, generation: 1}
status:
  conditions: [{type: Available, status: "False", reason: GroupsNotReady, message: 1 of 2 groups ready}]`
	existingService = "apiVersion: v1\nkind: Service\nmetadata: {name: m-workload, namespace: ns}"
	// programmedGateway has a public address and an HTTP listener.
	programmedGateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: m-gateway, namespace: ns, generation: 1}
spec:
  listeners: [{name: http, port: 80, protocol: HTTP}]
status:
  addresses: [{type: IPAddress, value: 198.51.100.7}]
  conditions: [{type: Programmed, status: "True", reason: Programmed, observedGeneration: 1}]`
	acceptedRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: m-route, namespace: ns, generation: 1}
spec:
  parentRefs: [{name: m-gateway}]
  rules: [{matches: [{path: {type: PathPrefix, value: /ns/m}}]}]
status:
  parents:
  - parentRef: {name: m-gateway}
    conditions: [{type: Accepted, status: "True", observedGeneration: 1}, {type: ResolvedRefs, status: "True", observedGeneration: 1}]`
	acceptedPool = `
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: m-inference-pool, namespace: ns, generation: 1}
status:
  parents:
  - parentRef: {name: m-gateway}
    conditions: [{type: Accepted, status: "True", observedGeneration: 1}, {type: ResolvedRefs, status: "True", observedGeneration: 1}]`
	unacceptedPool = `
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: m-inference-pool, namespace: ns, generation: 1}`
)

// observedDeployment is a Deployment as its controller reports it: at
// observed generation of its generation, with an Available condition.
func observedDeployment(name string, generation, observed int, available string) string {
	return fmt.Sprintf(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: ns, generation: %d}
status:
  observedGeneration: %d
  conditions: [{type: Available, %s}]`, name, generation, observed, available)
}

const availableTrue = `status: "True", reason: MinimumReplicasAvailable`

var (
	availableDeployment = observedDeployment("m-workload", 2, 2, availableTrue)
	staleDeployment     = observedDeployment("m-workload", 3, 2, availableTrue)
	downDeployment      = observedDeployment("m-prefill", 1, 1, `status: "False", reason: MinimumReplicasUnavailable, message: 0 of 2 ready`)
	availablePicker     = observedDeployment("m-epp", 1, 1, availableTrue)
)

// observedSet is what Crossplane observed, by composition resource name.
func observedSet(t *testing.T, manifests map[resource.Name]string) map[resource.Name]resource.ObservedComposed {
	t.Helper()
	obs := make(map[resource.Name]resource.ObservedComposed, len(manifests))
	for name, m := range manifests {
		obs[name] = resource.ObservedComposed{Resource: observed(t, m)}
	}
	return obs
}

// result is what compose returns: the objects, the workloads among them.
func result(wls []compose.Workload, objs ...compose.Object) *compose.Result {
	return &compose.Result{Objects: objs, Workloads: wls, ServiceURL: serviceURL}
}

// singleNode is a main Deployment and its Service, for the tests about the
// router.
func singleNode(objs ...compose.Object) *compose.Result {
	return result([]compose.Workload{{Resource: compose.ResourceWorkload}}, append([]compose.Object{mainDeployment, workloadSvc}, objs...)...)
}

func cond(typ string, ready bool, reason, msg string) Condition {
	if ready {
		return Condition{Type: typ, Status: metav1.ConditionTrue, Reason: reason}
	}
	return Condition{Type: typ, Status: metav1.ConditionFalse, Reason: reason, Message: msg}
}

// available are the conditions of a single node workload that is Available.
func available(more ...Condition) []Condition {
	return append([]Condition{
		cond(TypeMainWorkloadReady, true, ReasonAvailable, ""),
		cond(TypeWorkloadsReady, true, ReasonAvailable, ""),
	}, more...)
}

func TestComputeWorkloads(t *testing.T) {
	type want struct {
		conditions []Condition
		resources  map[resource.Name]bool
	}
	cases := map[string]struct {
		reason   string
		composed *compose.Result
		observed map[resource.Name]string
		want     want
	}{
		"NothingObserved": {
			reason:   "A Deployment Crossplane has not observed is being created; WorkloadsReady names the main workload.",
			composed: singleNode(),
			want: want{
				conditions: []Condition{
					cond(TypeMainWorkloadReady, false, "Creating", "not created yet"),
					cond(TypeWorkloadsReady, false, "Creating", "main workload: not created yet"),
				},
				resources: map[resource.Name]bool{compose.ResourceWorkload: false, compose.ResourceWorkloadService: false},
			},
		},
		"Available": {
			reason:   "An Available Deployment at the current generation and an existing Service are all there is.",
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService},
			want: want{
				conditions: available(),
				resources:  map[resource.Name]bool{compose.ResourceWorkload: true, compose.ResourceWorkloadService: true},
			},
		},
		"StaleGeneration": {
			reason:   "Available from an older generation says nothing about the current spec: not ready.",
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourceWorkload: staleDeployment},
			want: want{
				conditions: []Condition{
					cond(TypeMainWorkloadReady, false, "Progressing", "the controller has not observed the current generation yet"),
					cond(TypeWorkloadsReady, false, "Progressing", "main workload: the controller has not observed the current generation yet"),
				},
				resources: map[resource.Name]bool{compose.ResourceWorkload: false, compose.ResourceWorkloadService: false},
			},
		},
		"LeaderWorkerSet": {
			reason:   "A LeaderWorkerSet reports its worker pods too, with its own health.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkloadMN, MultiNode: true}}, mainLWS),
			observed: map[resource.Name]string{compose.ResourceWorkloadMN: availableLWS},
			want: want{
				conditions: []Condition{
					cond(TypeMainWorkloadReady, true, ReasonAvailable, ""),
					cond(TypeWorkerWorkloadReady, true, ReasonAvailable, ""),
					cond(TypeWorkloadsReady, true, ReasonAvailable, ""),
				},
				resources: map[resource.Name]bool{compose.ResourceWorkloadMN: true},
			},
		},
		"LeaderWorkerSetProgressing": {
			reason:   "Leader and workers share the LeaderWorkerSet's health: both are not ready, and the first decides.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkloadMN, MultiNode: true}}, mainLWS),
			observed: map[resource.Name]string{compose.ResourceWorkloadMN: progressingLWS},
			want: want{
				conditions: []Condition{
					cond(TypeMainWorkloadReady, false, "GroupsNotReady", "1 of 2 groups ready"),
					cond(TypeWorkerWorkloadReady, false, "GroupsNotReady", "1 of 2 groups ready"),
					cond(TypeWorkloadsReady, false, "GroupsNotReady", "main workload: 1 of 2 groups ready"),
				},
				resources: map[resource.Name]bool{compose.ResourceWorkloadMN: false},
			},
		},
		"Prefill": {
			reason: "The prefill workload has its condition; WorkloadsReady names the first workload not ready.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkloadMN, MultiNode: true}, {Resource: compose.ResourcePrefill, Prefill: true}},
				mainLWS, prefillDeploy),
			observed: map[resource.Name]string{compose.ResourceWorkloadMN: availableLWS, compose.ResourcePrefill: downDeployment},
			want: want{
				conditions: []Condition{
					cond(TypeMainWorkloadReady, true, ReasonAvailable, ""),
					cond(TypeWorkerWorkloadReady, true, ReasonAvailable, ""),
					cond(TypePrefillWorkloadReady, false, "MinimumReplicasUnavailable", "0 of 2 ready"),
					cond(TypeWorkloadsReady, false, "MinimumReplicasUnavailable", "prefill workload: 0 of 2 ready"),
				},
				resources: map[resource.Name]bool{compose.ResourceWorkloadMN: true, compose.ResourcePrefill: false},
			},
		},
		"PrefillWorker": {
			reason: "A multi-node prefill workload reports its worker pods; the main workload, not ready first, decides.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkload}, {Resource: compose.ResourcePrefillMN, Prefill: true, MultiNode: true}},
				mainDeployment, prefillLWS),
			observed: map[resource.Name]string{compose.ResourceWorkload: staleDeployment},
			want: want{
				conditions: []Condition{
					cond(TypeMainWorkloadReady, false, "Progressing", "the controller has not observed the current generation yet"),
					cond(TypePrefillWorkloadReady, false, "Creating", "not created yet"),
					cond(TypePrefillWorkerWorkloadReady, false, "Creating", "not created yet"),
					cond(TypeWorkloadsReady, false, "Progressing", "main workload: the controller has not observed the current generation yet"),
				},
				resources: map[resource.Name]bool{compose.ResourceWorkload: false, compose.ResourcePrefillMN: false},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := Compute(Input{Composed: tc.composed, Observed: observedSet(t, tc.observed)})
			got := want{conditions: out.Conditions, resources: out.Resources}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCompute(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// Referenced objects, as Crossplane reads them.
const (
	refGateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: %s, namespace: infra, generation: 1}
spec:
  listeners: [{name: https, port: 443, protocol: HTTPS}]
status:
  addresses: [{value: %s}]
  conditions: [{type: Programmed, status: %s, reason: %s, observedGeneration: 1}]`
	refRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: ns, generation: 1}
spec:
  parentRefs: [{name: gw, namespace: infra}, {name: edge, namespace: infra}]
  rules: [{matches: [{path: {type: PathPrefix, value: /m}}]}]
status:
  parents:
  - parentRef: {name: gw, namespace: infra}
    conditions: [{type: Accepted, status: "True"}, {type: ResolvedRefs, status: "True"}]
  - parentRef: {name: edge, namespace: infra}
    conditions: [{type: Accepted, status: "True"}, {type: ResolvedRefs, status: "True"}]`
	refPool = `
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: p, namespace: ns, generation: 1}
status:
  parents:
  - parentRef: {name: edge, namespace: infra}
    conditions: [{type: Accepted, status: "True"}, {type: ResolvedRefs, status: "True"}]`
)

// programmed is a referenced Gateway in namespace infra with one address,
// Programmed or not.
func programmed(name, addr string, ok bool) string {
	status, reason := `"True"`, "Programmed"
	if !ok {
		status, reason = `"False"`, "AddressNotAssigned"
	}
	m := refGateway
	for _, a := range []string{name, addr, status, reason} {
		m = strings.Replace(m, "%s", a, 1)
	}
	return m
}

// resolved is a reference Crossplane has read: manifest "" means it found
// no such object.
func resolved(t *testing.T, kind, namespace, name, manifest string) Reference {
	t.Helper()
	r := Reference{Kind: kind, Key: types.NamespacedName{Namespace: namespace, Name: name}, Resolved: true}
	if manifest != "" {
		r.Object = unstr(t, manifest)
	}
	return r
}

func pending(kind, namespace, name string) Reference {
	return Reference{Kind: kind, Key: types.NamespacedName{Namespace: namespace, Name: name}}
}

func TestComputeRouter(t *testing.T) {
	seed := singleNode(gateway, route, pool, picker)
	seedHealthy := map[resource.Name]string{
		compose.ResourceWorkload:         availableDeployment,
		compose.ResourceWorkloadService:  existingService,
		compose.ResourceGateway:          programmedGateway,
		compose.ResourceRoute:            acceptedRoute,
		compose.ResourcePool:             acceptedPool,
		compose.ResourcePickerDeployment: availablePicker,
	}
	with := func(name resource.Name, manifest string) map[resource.Name]string {
		m := make(map[resource.Name]string, len(seedHealthy))
		for k, v := range seedHealthy {
			m[k] = v
		}
		if manifest == "" {
			delete(m, name)
		} else {
			m[name] = manifest
		}
		return m
	}
	byo := &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}, Gateway: &spec.GatewaySpec{}, Scheduler: &spec.SchedulerSpec{}}
	mainOnly := map[resource.Name]string{compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService}

	type want struct {
		conditions []Condition
		ready      bool
		refsReady  bool
		// notReady are the composed resources that are not ready.
		notReady []resource.Name
	}
	cases := map[string]struct {
		reason   string
		router   *spec.RouterSpec
		composed *compose.Result
		observed map[resource.Name]string
		refs     References
		want     want
	}{
		"NoRouter": {
			reason:   "Without a router there are no router conditions.",
			composed: singleNode(),
			observed: mainOnly,
			want:     want{conditions: available(), ready: true, refsReady: true},
		},
		"EmptyRouter": {
			reason:   "A router with nothing in it to wait for is Ready.",
			router:   &spec.RouterSpec{Ingress: &spec.IngressSpec{}},
			composed: singleNode(),
			observed: mainOnly,
			want:     want{conditions: available(cond(TypeRouterReady, true, ReasonReady, "")), ready: true, refsReady: true},
		},
		"NothingObserved": {
			reason:   "Every composed part of the traffic path is being created, named as composed; the first part decides RouterReady.",
			router:   byo,
			composed: seed,
			observed: mainOnly,
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, false, "Creating", "Gateway ns/m-gateway: not created yet"),
					cond(TypeHTTPRoutesReady, false, "Creating", "HTTPRoute ns/m-route: not created yet"),
					cond(TypeInferencePoolReady, false, "Creating", "InferencePool ns/m-inference-pool: not created yet"),
					cond(TypeSchedulerWorkloadReady, false, "Creating", "Deployment ns/m-epp: not created yet"),
					cond(TypeRouterReady, false, "Creating", "GatewaysReady: Gateway ns/m-gateway: not created yet"),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourceGateway, compose.ResourceRoute, compose.ResourcePickerDeployment, compose.ResourcePool},
			},
		},
		"Healthy": {
			reason:   "Every composed object healthy: every condition is True and so is the whole.",
			router:   byo,
			composed: seed,
			observed: seedHealthy,
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, true, ReasonReady, ""),
					cond(TypeHTTPRoutesReady, true, ReasonReady, ""),
					cond(TypeInferencePoolReady, true, ReasonReady, ""),
					cond(TypeSchedulerWorkloadReady, true, ReasonReady, ""),
					cond(TypeRouterReady, true, ReasonReady, ""),
				),
				ready: true, refsReady: true,
			},
		},
		"GatewayNotProgrammed": {
			reason:   "A Gateway its controller has not programmed holds GatewaysReady and RouterReady with the controller's reason.",
			router:   byo,
			composed: seed,
			observed: with(compose.ResourceGateway, strings.Replace(programmedGateway, `status: "True", reason: Programmed`, `status: "False", reason: AddressNotAssigned`, 1)),
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, false, "AddressNotAssigned", `Gateway ns/m-gateway: Programmed is "False"`),
					cond(TypeHTTPRoutesReady, true, ReasonReady, ""),
					cond(TypeInferencePoolReady, true, ReasonReady, ""),
					cond(TypeSchedulerWorkloadReady, true, ReasonReady, ""),
					cond(TypeRouterReady, false, "AddressNotAssigned", `GatewaysReady: Gateway ns/m-gateway: Programmed is "False"`),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourceGateway},
			},
		},
		"PoolNotAccepted": {
			reason:   "A pool no Gateway has accepted, though a route uses it, is not ready: KServe's reason.",
			router:   byo,
			composed: seed,
			observed: with(compose.ResourcePool, unacceptedPool),
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, true, ReasonReady, ""),
					cond(TypeHTTPRoutesReady, true, ReasonReady, ""),
					cond(TypeInferencePoolReady, false, ReasonInferencePoolNotReady, "InferencePool ns/m-inference-pool: no Gateway has accepted the InferencePool yet: an HTTPRoute must send traffic to it through a Gateway whose implementation supports InferencePool"),
					cond(TypeSchedulerWorkloadReady, true, ReasonReady, ""),
					cond(TypeRouterReady, false, ReasonInferencePoolNotReady, "InferencePoolReady: InferencePool ns/m-inference-pool: no Gateway has accepted the InferencePool yet: an HTTPRoute must send traffic to it through a Gateway whose implementation supports InferencePool"),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourcePool},
			},
		},
		"PoolWithoutRoute": {
			reason:   "A managed pool no route uses is ready once it exists: no gateway will ever accept it.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{}},
			composed: singleNode(pool, picker),
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService, compose.ResourcePool: unacceptedPool},
			want: want{
				conditions: available(
					cond(TypeInferencePoolReady, true, ReasonReady, ""),
					cond(TypeSchedulerWorkloadReady, false, "Creating", "Deployment ns/m-epp: not created yet"),
					cond(TypeRouterReady, false, "Creating", "SchedulerWorkloadReady: Deployment ns/m-epp: not created yet"),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourcePickerDeployment},
			},
		},
		"TokenizerNotReady": {
			reason:   "The tokenizer of precise prefix-cache routing rolls into RouterReady, as in KServe.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{Tokenizer: &spec.TokenizerSpec{}}},
			composed: singleNode(picker, tokenizer),
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService, compose.ResourcePickerDeployment: availablePicker},
			want: want{
				conditions: available(
					cond(TypeSchedulerWorkloadReady, true, ReasonReady, ""),
					cond(TypeTokenizerReady, false, "Creating", "Deployment ns/m-tokenizer: not created yet"),
					cond(TypeRouterReady, false, "Creating", "TokenizerReady: Deployment ns/m-tokenizer: not created yet"),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourceTokenizerDeployment},
			},
		},
		"TokenizerReady": {
			reason:   "An available tokenizer is Ready.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{Tokenizer: &spec.TokenizerSpec{}}},
			composed: singleNode(picker, tokenizer),
			observed: map[resource.Name]string{
				compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService, compose.ResourcePickerDeployment: availablePicker,
				compose.ResourceTokenizerDeployment: observedDeployment("m-tokenizer", 1, 1, availableTrue),
			},
			want: want{
				conditions: available(
					cond(TypeSchedulerWorkloadReady, true, ReasonReady, ""),
					cond(TypeTokenizerReady, true, ReasonReady, ""),
					cond(TypeRouterReady, true, ReasonReady, ""),
				),
				ready: true, refsReady: true,
			},
		},
		"SchedulerNothingObserved": {
			reason:   "A scheduler without a route: the pool and the picker are being created, and the pool, first, decides RouterReady.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{}},
			composed: singleNode(pool, picker),
			observed: mainOnly,
			want: want{
				conditions: available(
					cond(TypeInferencePoolReady, false, "Creating", "InferencePool ns/m-inference-pool: not created yet"),
					cond(TypeSchedulerWorkloadReady, false, "Creating", "Deployment ns/m-epp: not created yet"),
					cond(TypeRouterReady, false, "Creating", "InferencePoolReady: InferencePool ns/m-inference-pool: not created yet"),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourcePickerDeployment, compose.ResourcePool},
			},
		},
		"PoolWithoutRouteNotCreated": {
			reason:   "A pool without a route must still exist to be ready.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{}},
			composed: singleNode(pool, picker),
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment, compose.ResourceWorkloadService: existingService, compose.ResourcePickerDeployment: availablePicker},
			want: want{
				conditions: available(
					cond(TypeInferencePoolReady, false, "Creating", "InferencePool ns/m-inference-pool: not created yet"),
					cond(TypeSchedulerWorkloadReady, true, ReasonReady, ""),
					cond(TypeRouterReady, false, "Creating", "InferencePoolReady: InferencePool ns/m-inference-pool: not created yet"),
				),
				refsReady: true,
				notReady:  []resource.Name{compose.ResourcePool},
			},
		},
		"ReferencesPending": {
			reason:   "Before Crossplane has read the referenced objects each is pending, and they hold the XR not ready.",
			router:   byo,
			composed: singleNode(),
			observed: mainOnly,
			refs: References{
				Gateways: []Reference{pending("Gateway", "infra", "gw")},
				Routes:   []Reference{pending("HTTPRoute", "ns", "r")},
				Pool:     ptr.To(pending("InferencePool", "ns", "p")),
			},
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, false, ReasonPending, "Gateway infra/gw: waiting for Crossplane to read it"),
					cond(TypeHTTPRoutesReady, false, ReasonPending, "HTTPRoute ns/r: waiting for Crossplane to read it"),
					cond(TypeInferencePoolReady, false, ReasonPending, "InferencePool ns/p: waiting for Crossplane to read it"),
					cond(TypeRouterReady, false, ReasonPending, "GatewaysReady: Gateway infra/gw: waiting for Crossplane to read it"),
				),
			},
		},
		"ReferenceMissingAndUnhealthy": {
			reason:   "A referenced Gateway that does not exist is RefsInvalid; the first decides the reason, and the message names every one not ready.",
			router:   byo,
			composed: singleNode(),
			observed: mainOnly,
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", ""), resolved(t, "Gateway", "infra", "edge", programmed("edge", "203.0.113.5", false))},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", refRoute)},
				Pool:     ptr.To(resolved(t, "InferencePool", "ns", "p", refPool)),
			},
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, false, ReasonRefsInvalid, `Gateway infra/gw: does not exist; Gateway infra/edge: Programmed is "False"`),
					cond(TypeHTTPRoutesReady, true, ReasonReady, ""),
					cond(TypeInferencePoolReady, true, ReasonReady, ""),
					cond(TypeRouterReady, false, ReasonRefsInvalid, `GatewaysReady: Gateway infra/gw: does not exist; Gateway infra/edge: Programmed is "False"`),
				),
			},
		},
		"ReferencesHealthy": {
			reason:   "Everything referenced exists and is healthy: nothing holds the XR back.",
			router:   byo,
			composed: singleNode(),
			observed: mainOnly,
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", programmed("gw", "10.0.0.1", true)), resolved(t, "Gateway", "infra", "edge", programmed("edge", "203.0.113.5", true))},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", refRoute)},
				Pool:     ptr.To(resolved(t, "InferencePool", "ns", "p", refPool)),
			},
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, true, ReasonReady, ""),
					cond(TypeHTTPRoutesReady, true, ReasonReady, ""),
					cond(TypeInferencePoolReady, true, ReasonReady, ""),
					cond(TypeRouterReady, true, ReasonReady, ""),
				),
				ready: true, refsReady: true,
			},
		},
		"ComposedAndReferenced": {
			reason:   "A managed route attached to a referenced Gateway: one condition covers each, composed and referenced alike.",
			router:   &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}, Gateway: &spec.GatewaySpec{}},
			composed: singleNode(route),
			observed: mainOnly,
			refs:     References{Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", "")}},
			want: want{
				conditions: available(
					cond(TypeGatewaysReady, false, ReasonRefsInvalid, "Gateway infra/gw: does not exist"),
					cond(TypeHTTPRoutesReady, false, "Creating", "HTTPRoute ns/m-route: not created yet"),
					cond(TypeRouterReady, false, ReasonRefsInvalid, "GatewaysReady: Gateway infra/gw: does not exist"),
				),
				notReady: []resource.Name{compose.ResourceRoute},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := Compute(Input{Composed: tc.composed, Service: service(tc.router), Observed: observedSet(t, tc.observed), Refs: tc.refs})
			got := want{conditions: out.Conditions, ready: out.Ready, refsReady: out.RefsReady}
			for name, ready := range out.Resources {
				if !ready {
					got.notReady = append(got.notReady, name)
				}
			}
			slices.Sort(got.notReady)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCompute(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
