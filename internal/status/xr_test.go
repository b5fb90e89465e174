package status

import (
	"strings"
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// service is the service m in namespace ns with router r.
func service(r *spec.RouterSpec) *spec.Service {
	return &spec.Service{Name: "m", Namespace: "ns", Spec: spec.LLMInferenceServiceSpec{Router: r}}
}

// ref is a Gateway API object reference in namespace ns.
func ref(group, kind, ns, name string) *gatewayv1.ObjectReference {
	return &gatewayv1.ObjectReference{Group: gatewayv1.Group(group), Kind: gatewayv1.Kind(kind), Name: gatewayv1.ObjectName(name), Namespace: ptr.To(gatewayv1.Namespace(ns))}
}

func gatewayObj(ns, name string) *gatewayv1.ObjectReference {
	return ref(gatewayv1.GroupName, "Gateway", ns, name)
}

func routeObj(ns, name string) gatewayv1.ObjectReference {
	return *ref(gatewayv1.GroupName, "HTTPRoute", ns, name)
}

func models(names ...string) []spec.AddressModel {
	out := make([]spec.AddressModel, 0, len(names))
	for _, n := range names {
		out = append(out, spec.AddressModel{Name: n})
	}
	return out
}

func TestComputeAddresses(t *testing.T) {
	m := models("m", "publishers/ns/models/m")
	workload := spec.SourcedAddress{Name: "workload", URL: serviceURL, Origin: ref("", "Service", "ns", "m-workload"), Models: m}
	managed := map[resource.Name]string{compose.ResourceGateway: programmedGateway, compose.ResourceRoute: acceptedRoute}
	// twoHosts is refRoute with host names, through two Gateways.
	twoHosts := strings.Replace(refRoute, "spec:\n", "spec:\n  hostnames: [llm.example.com]\n", 1)
	// kserveRoute is the route the function composes with a scheduler and
	// model-based routing, one rule of each kind.
	kserveRoute := strings.Replace(acceptedRoute, "  rules: [{matches: [{path: {type: PathPrefix, value: /ns/m}}]}]", `  rules:
  - {name: v1-catch-all-path, matches: [{path: {type: PathPrefix, value: /ns/m}}], backendRefs: [{name: m-kserve-workload-svc, port: 8000}]}
  - {name: v1-completions-path, matches: [{path: {type: PathPrefix, value: /ns/m/v1/completions}}], backendRefs: [{group: inference.networking.k8s.io, kind: InferencePool, name: m-inference-pool}]}
  - {name: v1-publisher-path-catch-all, matches: [{path: {type: PathPrefix, value: /publishers/ns/models/m}}], backendRefs: [{name: m-kserve-workload-svc, port: 8000}]}
  - {name: v1-model-routing, matches: [{path: {type: Exact, value: /v1/completions}, headers: [{name: X-Gateway-Model-Name, value: publishers/ns/models/m}]}], backendRefs: [{group: inference.networking.k8s.io, kind: InferencePool, name: m-inference-pool}]}
  - {name: v1-catch-all-model-routing, matches: [{path: {type: PathPrefix, value: /}, headers: [{name: X-Gateway-Model-Name, value: publishers/ns/models/m}]}], backendRefs: [{name: m-kserve-workload-svc, port: 8000}]}`, 1)
	lora := service(&spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}})
	lora.Spec.Model = spec.LLMModelSpec{Name: ptr.To("llama"), LoRA: &spec.LoRASpec{Adapters: []spec.LoRAAdapterSpec{{Name: "sql"}, {Name: "chat"}}}}

	type want struct {
		url       string
		addresses []spec.SourcedAddress
	}
	cases := map[string]struct {
		reason   string
		svc      *spec.Service
		observed map[resource.Name]string
		refs     References
		served   []string // the names compose says vLLM answers to, if not m's two
		want     want
	}{
		"WorkloadOnly": {
			reason: "Without a route the URL is the in-cluster workload Service, whose address names the Service and serves the model.",
			want:   want{url: serviceURL, addresses: []spec.SourcedAddress{workload}},
		},
		"ManagedRoute": {
			reason:   "The managed route through the managed Gateway: its address and the route's path, external, from the Gateway.",
			observed: managed,
			want: want{
				url: "http://198.51.100.7/ns/m",
				addresses: []spec.SourcedAddress{
					{Name: "gateway-external", URL: "http://198.51.100.7/ns/m", Origin: gatewayObj("ns", "m-gateway"), Models: m},
					workload,
				},
			},
		},
		"GatewayNotObserved": {
			reason:   "A route whose Gateway is not observed yet has no address: the workload Service stands in.",
			observed: map[resource.Name]string{compose.ResourceRoute: acceptedRoute},
			want:     want{url: serviceURL, addresses: []spec.SourcedAddress{workload}},
		},
		"ExternalFirst": {
			reason: "A referenced route through referenced Gateways: the external address wins over the private one before it; both are addresses, sorted, each from its Gateway.",
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", programmed("gw", "10.0.0.1", true)), resolved(t, "Gateway", "infra", "edge", programmed("edge", "203.0.113.5", false))},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", refRoute)},
			},
			want: want{
				url: "https://203.0.113.5/m",
				addresses: []spec.SourcedAddress{
					{Name: "internal", URL: "https://10.0.0.1/m", Origin: gatewayObj("infra", "gw"), Models: m},
					{Name: "gateway-external", URL: "https://203.0.113.5/m", Origin: gatewayObj("infra", "edge"), Models: m},
					workload,
				},
			},
		},
		"OnlyInternal": {
			reason: "With no external address the first one is still better than the workload Service.",
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", programmed("gw", "10.0.0.1", true)), resolved(t, "Gateway", "infra", "edge", "")},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", refRoute)},
			},
			want: want{
				url:       "https://10.0.0.1/m",
				addresses: []spec.SourcedAddress{{Name: "internal", URL: "https://10.0.0.1/m", Origin: gatewayObj("infra", "gw"), Models: m}, workload},
			},
		},
		"ClusterLocal": {
			reason: "A Gateway at a name of the cluster's DNS gives a gateway-internal address.",
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", programmed("gw", "gw-istio.infra.svc.cluster.local", true))},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", refRoute)},
			},
			want: want{
				url:       "https://gw-istio.infra.svc.cluster.local/m",
				addresses: []spec.SourcedAddress{{Name: "gateway-internal", URL: "https://gw-istio.infra.svc.cluster.local/m", Origin: gatewayObj("infra", "gw"), Models: m}, workload},
			},
		},
		"SameURLTwoGateways": {
			reason: "A host name served by two Gateways is one URL but two addresses, one from each, sorted by Gateway.",
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", programmed("gw", "10.0.0.1", true)), resolved(t, "Gateway", "infra", "edge", programmed("edge", "203.0.113.5", true))},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", twoHosts)},
			},
			want: want{
				url: "https://llm.example.com/m",
				addresses: []spec.SourcedAddress{
					{Name: "gateway-external", URL: "https://llm.example.com/m", Origin: gatewayObj("infra", "edge"), Models: m},
					{Name: "gateway-external", URL: "https://llm.example.com/m", Origin: gatewayObj("infra", "gw"), Models: m},
					workload,
				},
			},
		},
		"RouteMissing": {
			reason: "A referenced route that does not exist serves nowhere.",
			refs: References{
				Gateways: []Reference{resolved(t, "Gateway", "infra", "gw", programmed("gw", "203.0.113.9", true))},
				Routes:   []Reference{resolved(t, "HTTPRoute", "ns", "r", ""), pending("HTTPRoute", "ns", "s")},
			},
			want: want{url: serviceURL, addresses: []spec.SourcedAddress{workload}},
		},
		"ModelNameAndAdapters": {
			reason:   "Every address serves the names vLLM answers to, in compose's order.",
			svc:      lora,
			observed: managed,
			served:   []string{"llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql", "chat", "publishers/ns/models/chat"},
			want: want{
				url: "http://198.51.100.7/ns/m",
				addresses: []spec.SourcedAddress{
					{Name: "gateway-external", URL: "http://198.51.100.7/ns/m", Origin: gatewayObj("ns", "m-gateway"),
						Models: models("llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql", "chat", "publishers/ns/models/chat")},
					{Name: "workload", URL: serviceURL, Origin: ref("", "Service", "ns", "m-workload"),
						Models: models("llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql", "chat", "publishers/ns/models/chat")},
				},
			},
		},
		"WithoutModelRouting": {
			reason:   "Without model-based routing vLLM answers to the names alone, and the addresses say so.",
			observed: managed,
			served:   []string{"m"},
			want: want{
				url: "http://198.51.100.7/ns/m",
				addresses: []spec.SourcedAddress{
					{Name: "gateway-external", URL: "http://198.51.100.7/ns/m", Origin: gatewayObj("ns", "m-gateway"), Models: models("m")},
					{Name: "workload", URL: serviceURL, Origin: ref("", "Service", "ns", "m-workload"), Models: models("m")},
				},
			},
		},
		"KServeRoute": {
			reason: "KServe's three addresses per Gateway URL: the model name header's at /, named -model-routing, listing the qualified names it carries; " +
				"the service's path and the publisher path, listing every name; the URL at the service's path, though / sorts first.",
			svc:      lora,
			observed: map[resource.Name]string{compose.ResourceGateway: programmedGateway, compose.ResourceRoute: kserveRoute},
			served:   []string{"llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql"},
			want: want{
				url: "http://198.51.100.7/ns/m",
				addresses: []spec.SourcedAddress{
					{Name: "gateway-external-model-routing", URL: "http://198.51.100.7/", Origin: gatewayObj("ns", "m-gateway"),
						Models: models("publishers/ns/models/llama", "publishers/ns/models/sql")},
					{Name: "gateway-external", URL: "http://198.51.100.7/ns/m", Origin: gatewayObj("ns", "m-gateway"),
						Models: models("llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql")},
					{Name: "gateway-external", URL: "http://198.51.100.7/publishers/ns/models/m", Origin: gatewayObj("ns", "m-gateway"),
						Models: models("llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql")},
					{Name: "workload", URL: serviceURL, Origin: ref("", "Service", "ns", "m-workload"),
						Models: models("llama", "publishers/ns/models/llama", "sql", "publishers/ns/models/sql")},
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := tc.svc
			if svc == nil {
				svc = service(&spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}})
			}
			in := Input{
				Composed: result([]compose.Workload{{Resource: compose.ResourceWorkload}}, mainDeployment, workloadSvc, gateway, route),
				Service:  svc,
				Observed: observedSet(t, tc.observed),
				Refs:     tc.refs,
			}
			in.Composed.ModelNames = tc.served
			if tc.served == nil {
				in.Composed.ModelNames = []string{"m", "publishers/ns/models/m"}
			}
			s := Compute(in).Status
			if diff := cmp.Diff(tc.want, want{url: s.URL, addresses: s.Addresses}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCompute(...).Status url and addresses: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// Observed objects of the router status tests.
const (
	// pickerPool is the managed pool as observed, naming its picker.
	pickerPool = `
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: m-inference-pool, namespace: ns, generation: 1}
spec:
  endpointPickerRef: {name: m-epp, port: {number: 9002}}`
	// sectionRoute attaches twice to two listeners of infra/gw, and to a
	// mesh's Service.
	sectionRoute = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: s, namespace: ns, generation: 1}
spec:
  parentRefs:
  - {name: gw, namespace: infra, sectionName: https}
  - {name: gw, namespace: infra, sectionName: http}
  - {name: gw, namespace: infra, sectionName: https, port: 443}
  - {group: '', kind: Service, name: mesh}`
	// externalPool is a referenced pool whose picker is not a Service of
	// the core group.
	externalPool = `
apiVersion: inference.networking.k8s.io/v1
kind: InferencePool
metadata: {name: p, namespace: ns, generation: 1}
spec:
  endpointPickerRef: {group: picker.example.com, kind: Picker, name: shared}`
)

func TestComputeRouterStatus(t *testing.T) {
	routerRefs := &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}, Gateway: &spec.GatewaySpec{}, Scheduler: &spec.SchedulerSpec{}}
	cases := map[string]struct {
		reason   string
		router   *spec.RouterSpec
		composed *compose.Result
		observed map[resource.Name]string
		refs     References
		want     *spec.RouterStatus
	}{
		"NoRouter": {
			reason:   "Without a router there is no router status.",
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourceWorkload: availableDeployment},
		},
		"NothingObserved": {
			reason:   "A traffic path not observed yet has no router status: it reports what is, not what is asked for.",
			router:   routerRefs,
			composed: singleNode(gateway, route, pool, picker),
		},
		"Managed": {
			reason:   "The managed route's Gateway, with every listener (no sectionName) and the route; the managed pool and the picker Service its spec names, with the Inference Extension's defaults.",
			router:   routerRefs,
			composed: singleNode(gateway, route, pool, picker),
			observed: map[resource.Name]string{compose.ResourceRoute: acceptedRoute, compose.ResourcePool: pickerPool},
			want: &spec.RouterStatus{
				Gateways: []spec.ObservedGateway{{ObjectReference: *gatewayObj("ns", "m-gateway"), HTTPRoutes: []gatewayv1.ObjectReference{routeObj("ns", "m-route")}}},
				Scheduler: &spec.ObservedScheduler{
					InferencePool: ref("inference.networking.k8s.io", "InferencePool", "ns", "m-inference-pool"),
					Service:       ref("", "Service", "ns", "m-epp"),
				},
			},
		},
		"Listeners": {
			reason:   "A referenced route attached to named listeners: each listener once, sorted, and the route once; a mesh's Service is no Gateway.",
			router:   routerRefs,
			composed: singleNode(),
			refs:     References{Routes: []Reference{resolved(t, "HTTPRoute", "ns", "s", sectionRoute)}},
			want: &spec.RouterStatus{Gateways: []spec.ObservedGateway{{
				ObjectReference: *gatewayObj("infra", "gw"),
				Listeners:       []gatewayv1.SectionName{"http", "https"},
				HTTPRoutes:      []gatewayv1.ObjectReference{routeObj("ns", "s")},
			}}},
		},
		"ListenersAndAll": {
			reason:   "One route attached to every listener of a Gateway makes it every listener; Gateways and routes sorted by namespace and name.",
			router:   routerRefs,
			composed: singleNode(route),
			observed: map[resource.Name]string{compose.ResourceRoute: strings.Replace(acceptedRoute, "parentRefs: [{name: m-gateway}]", "parentRefs: [{name: gw, namespace: infra}]", 1)},
			refs:     References{Routes: []Reference{resolved(t, "HTTPRoute", "ns", "s", sectionRoute), resolved(t, "HTTPRoute", "ns", "r", refRoute)}},
			want: &spec.RouterStatus{Gateways: []spec.ObservedGateway{
				{ObjectReference: *gatewayObj("infra", "edge"), HTTPRoutes: []gatewayv1.ObjectReference{routeObj("ns", "r")}},
				{ObjectReference: *gatewayObj("infra", "gw"), HTTPRoutes: []gatewayv1.ObjectReference{routeObj("ns", "m-route"), routeObj("ns", "r"), routeObj("ns", "s")}},
			}},
		},
		"ReferencedPool": {
			reason:   "A referenced pool, as Crossplane read it, with the picker its spec names, of whatever kind.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{}},
			composed: singleNode(),
			refs:     References{Pool: ptr.To(resolved(t, "InferencePool", "ns", "p", externalPool))},
			want: &spec.RouterStatus{Scheduler: &spec.ObservedScheduler{
				InferencePool: ref("inference.networking.k8s.io", "InferencePool", "ns", "p"),
				Service:       ref("picker.example.com", "Picker", "ns", "shared"),
			}},
		},
		"ReferencedPoolWithoutPicker": {
			reason:   "A pool whose spec names no picker has none in the status.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{}},
			composed: singleNode(),
			refs:     References{Pool: ptr.To(resolved(t, "InferencePool", "ns", "p", refPool))},
			want:     &spec.RouterStatus{Scheduler: &spec.ObservedScheduler{InferencePool: ref("inference.networking.k8s.io", "InferencePool", "ns", "p")}},
		},
		"ReferencedPoolMissing": {
			reason:   "A referenced pool that does not exist, or is not read yet, is not reported.",
			router:   &spec.RouterSpec{Scheduler: &spec.SchedulerSpec{}},
			composed: singleNode(),
			refs:     References{Pool: ptr.To(resolved(t, "InferencePool", "ns", "p", ""))},
		},
		"PoolNoLongerComposed": {
			reason:   "A pool Crossplane still observes but the function no longer composes is on its way out: not reported.",
			router:   &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}},
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourcePool: pickerPool},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := Compute(Input{Composed: tc.composed, Service: service(tc.router), Observed: observedSet(t, tc.observed), Refs: tc.refs})
			if diff := cmp.Diff(tc.want, out.Status.Router); diff != "" {
				t.Errorf("%s\nCompute(...).Status.Router: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// Observed workloads with replica counts.
const (
	servingDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: m-workload, namespace: ns, generation: 1}
status: {observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 2}`
	startingDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: m-prefill, namespace: ns, generation: 1}
status: {observedGeneration: 1, replicas: 2, unavailableReplicas: 2}`
	servingLWS = `
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: m-workload-mn, namespace: ns, generation: 1}
status: {replicas: 2, readyReplicas: 1}`
	servingPicker = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: m-epp, namespace: ns, generation: 1}
status: {observedGeneration: 1, availableReplicas: 1}`
)

func TestComputeWorkloadStatus(t *testing.T) {
	apps := ptr.To("apps")
	deploy := func(name string, ready int32) *spec.ObservedWorkload {
		return &spec.ObservedWorkload{TypedLocalObjectReference: corev1.TypedLocalObjectReference{APIGroup: apps, Kind: "Deployment", Name: name}, ReadyReplicas: ptr.To(ready)}
	}
	svc := &corev1.TypedLocalObjectReference{Kind: "Service", Name: "m-workload"}
	cases := map[string]struct {
		reason   string
		composed *compose.Result
		observed map[resource.Name]string
		want     *spec.WorkloadStatus
	}{
		"NothingObserved": {
			reason:   "Nothing observed, nothing to report.",
			composed: singleNode(),
		},
		"Deployment": {
			reason:   "The main Deployment's available replicas are its ready ones, not its ready pods; the Service has no API group.",
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourceWorkload: servingDeployment, compose.ResourceWorkloadService: existingService},
			want:     &spec.WorkloadStatus{Primary: deploy("m-workload", 2), Service: svc},
		},
		"NoneAvailable": {
			reason:   "A Deployment leaves availableReplicas out while none is available: 0, not unknown.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkload}, {Resource: compose.ResourcePrefill, Prefill: true}}, mainDeployment, prefillDeploy),
			observed: map[resource.Name]string{compose.ResourcePrefill: startingDeployment},
			want:     &spec.WorkloadStatus{Prefill: deploy("m-prefill", 0)},
		},
		"LeaderWorkerSet": {
			reason:   "A LeaderWorkerSet counts its ready groups; the prefill workload is reported beside it.",
			composed: result([]compose.Workload{{Resource: compose.ResourceWorkloadMN, MultiNode: true}, {Resource: compose.ResourcePrefill, Prefill: true}}, mainLWS, prefillDeploy),
			observed: map[resource.Name]string{compose.ResourceWorkloadMN: servingLWS, compose.ResourcePrefill: startingDeployment},
			want: &spec.WorkloadStatus{
				Primary: &spec.ObservedWorkload{TypedLocalObjectReference: corev1.TypedLocalObjectReference{APIGroup: ptr.To("leaderworkerset.x-k8s.io"), Kind: "LeaderWorkerSet", Name: "m-workload-mn"}, ReadyReplicas: ptr.To[int32](1)},
				Prefill: deploy("m-prefill", 0),
			},
		},
		"Picker": {
			reason:   "The endpoint picker's Deployment is the scheduler workload.",
			composed: singleNode(pool, picker),
			observed: map[resource.Name]string{compose.ResourceWorkload: servingDeployment, compose.ResourcePickerDeployment: servingPicker},
			want:     &spec.WorkloadStatus{Primary: deploy("m-workload", 2), Scheduler: deploy("m-epp", 1)},
		},
		"NoLongerComposed": {
			reason:   "Workloads Crossplane still observes after a topology change but the function no longer composes are not reported.",
			composed: singleNode(),
			observed: map[resource.Name]string{compose.ResourceWorkloadMN: servingLWS, compose.ResourcePickerDeployment: servingPicker},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out := Compute(Input{Composed: tc.composed, Service: service(nil), Observed: observedSet(t, tc.observed)})
			if diff := cmp.Diff(tc.want, out.Status.Workloads); diff != "" {
				t.Errorf("%s\nCompute(...).Status.Workloads: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestComputeConfigurations(t *testing.T) {
	type want struct {
		applied        []spec.AppliedConfigRef
		configurations []spec.AppliedConfiguration
	}
	cases := map[string]struct {
		reason string
		layers []config.Layer
		want   want
	}{
		"EveryKind": {
			reason: "What the function applies by itself is a Preset, every base spec.baseRefs names a UserRef, in merge order; the spec is a configuration but no applied config.",
			layers: []config.Layer{
				{Name: "single-node", Source: config.SourceBuiltIn},
				{Name: "scheduler", Source: config.SourceBuiltIn},
				{Name: config.LayerFunctionInput, Source: config.SourceFunctionInput},
				{Name: "h100", Source: config.SourceFunctionInput},
				{Name: "team", Source: config.SourceEnvironmentConfig},
				{Name: "m", Source: config.SourceSpec},
			},
			want: want{
				applied: []spec.AppliedConfigRef{
					{Name: "single-node", Source: spec.AppliedConfigPreset},
					{Name: "scheduler", Source: spec.AppliedConfigPreset},
					{Name: config.LayerFunctionInput, Source: spec.AppliedConfigPreset},
					{Name: "h100", Source: spec.AppliedConfigUserRef},
					{Name: "team", Source: spec.AppliedConfigUserRef},
				},
				configurations: []spec.AppliedConfiguration{
					{Name: "single-node", Source: "BuiltIn"},
					{Name: "scheduler", Source: "BuiltIn"},
					{Name: "function-input", Source: "FunctionInput"},
					{Name: "h100", Source: "FunctionInput"},
					{Name: "team", Source: "EnvironmentConfig"},
					{Name: "m", Source: "Spec"},
				},
			},
		},
		"SpecOnly": {
			reason: "A spec alone applies no configuration.",
			layers: []config.Layer{{Name: "m", Source: config.SourceSpec}},
			want:   want{configurations: []spec.AppliedConfiguration{{Name: "m", Source: "Spec"}}},
		},
		"LLMInferenceServiceConfig": {
			reason: "An LLMInferenceServiceConfig is a UserRef that says which namespace it was found in, so a user sees whether the team's or the platform's config of that name applied.",
			layers: []config.Layer{{Name: "shared", Namespace: "kserve", Source: config.SourceLLMInferenceServiceConfig}, {Name: "m", Source: config.SourceSpec}},
			want: want{
				applied:        []spec.AppliedConfigRef{{Name: "shared", Namespace: "kserve", Source: spec.AppliedConfigUserRef}},
				configurations: []spec.AppliedConfiguration{{Name: "shared", Source: "LLMInferenceServiceConfig"}, {Name: "m", Source: "Spec"}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := Compute(Input{Composed: singleNode(), Service: service(nil), Layers: tc.layers}).Status
			got := want{applied: s.AppliedConfigs, configurations: s.Configurations}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nCompute(...).Status appliedConfigs and configurations: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestComputeGPUs(t *testing.T) {
	cases := map[string]struct {
		reason    string
		workloads []compose.Workload
		gpu       corev1.ResourceName
		want      *spec.GPUStatus
	}{
		"Main": {
			reason:    "The main workload's GPUs are all there are.",
			workloads: []compose.Workload{{Resource: compose.ResourceWorkload, GPUs: 3}},
			gpu:       "nvidia.com/gpu",
			want:      &spec.GPUStatus{Resource: "nvidia.com/gpu", Total: 3, Main: 3},
		},
		"Prefill": {
			reason:    "GPUs of the main and prefill workloads, each counted, in the input's resource.",
			workloads: []compose.Workload{{Resource: compose.ResourceWorkloadMN, MultiNode: true, GPUs: 16}, {Resource: compose.ResourcePrefill, Prefill: true, GPUs: 8}},
			gpu:       "amd.com/gpu",
			want:      &spec.GPUStatus{Resource: "amd.com/gpu", Total: 24, Main: 16, Prefill: 8},
		},
		"CPU": {
			reason:    "A CPU server holds no GPUs: the counts are zero, not missing.",
			workloads: []compose.Workload{{Resource: compose.ResourceWorkload}},
			gpu:       "nvidia.com/gpu",
			want:      &spec.GPUStatus{Resource: "nvidia.com/gpu"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := Compute(Input{Composed: result(tc.workloads), Service: service(nil), GPUResource: tc.gpu}).Status
			if diff := cmp.Diff(tc.want, s.GPUs); diff != "" {
				t.Errorf("%s\nCompute(...).Status.GPUs: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
