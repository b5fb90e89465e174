package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// routeService is a service named llm in namespace ns with the given router.
func routeService(r *spec.RouterSpec) *spec.Service {
	return &spec.Service{
		Name:      "llm",
		Namespace: "ns",
		Spec: spec.LLMInferenceServiceSpec{
			Model:  spec.LLMModelSpec{URI: "hf://org/model"},
			Router: r,
		},
	}
}

// Pieces of the expected routes.
var (
	routeWantObjective = gatewayv1.HTTPRouteFilter{
		Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier,
		RequestHeaderModifier: &gatewayv1.HTTPHeaderFilter{Set: []gatewayv1.HTTPHeader{{
			Name: "x-llm-d-inference-objective", Value: "llm-objective",
		}}},
	}
	routeWantTimeouts = &gatewayv1.HTTPRouteTimeouts{Request: ptr.To(gatewayv1.Duration("0s")), BackendRequest: ptr.To(gatewayv1.Duration("0s"))}
	routeWantManaged  = []gatewayv1.ParentReference{{
		Group: ptr.To(gatewayv1.Group("gateway.networking.k8s.io")), Kind: ptr.To(gatewayv1.Kind("Gateway")), Name: "llm-gateway",
	}}
)

// routeWantPlatform is the parent reference of the platform's Gateway.
func routeWantPlatform(namespace, name string) []gatewayv1.ParentReference {
	return []gatewayv1.ParentReference{{
		Group: ptr.To(gatewayv1.Group("gateway.networking.k8s.io")), Kind: ptr.To(gatewayv1.Kind("Gateway")),
		Namespace: ptr.To(gatewayv1.Namespace(namespace)), Name: gatewayv1.ObjectName(name),
	}}
}

func routeWantBackend(group, kind, name string, port int32) []gatewayv1.HTTPBackendRef {
	ref := gatewayv1.BackendObjectReference{Name: gatewayv1.ObjectName(name), Port: ptr.To(port)}
	if kind != "" {
		ref.Group, ref.Kind = ptr.To(gatewayv1.Group(group)), ptr.To(gatewayv1.Kind(kind))
	}
	return []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: ref}}}
}

var (
	routeWantPool    = routeWantBackend("inference.networking.k8s.io", "InferencePool", "llm-inference-pool", 8000)
	routeWantService = routeWantBackend("", "", "llm-workload", 8000)
)

// routeWantSpec is the default route: the rules of the service's own path
// and of the publisher path, then the model name header rules, each with
// backends and timeouts. With a pool, each path's inference endpoints go
// to it, rewritten to the endpoint, and the rest of the path to the
// workload Service; without one, the path is one rule to the workload
// Service.
func routeWantSpec(parents []gatewayv1.ParentReference, backends []gatewayv1.HTTPBackendRef, timeouts *gatewayv1.HTTPRouteTimeouts, filters ...gatewayv1.HTTPRouteFilter) gatewayv1.HTTPRouteSpec {
	pooled := backends[0].Kind != nil
	prefixRule := func(name, path, to string, backends []gatewayv1.HTTPBackendRef, filters ...gatewayv1.HTTPRouteFilter) gatewayv1.HTTPRouteRule {
		return gatewayv1.HTTPRouteRule{
			Name:    ptr.To(gatewayv1.SectionName(name)),
			Matches: []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To(path)}}},
			Filters: append([]gatewayv1.HTTPRouteFilter{{
				Type: gatewayv1.HTTPRouteFilterURLRewrite,
				URLRewrite: &gatewayv1.HTTPURLRewriteFilter{Path: &gatewayv1.HTTPPathModifier{
					Type: gatewayv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr.To(to),
				}},
			}}, filters...),
			BackendRefs: backends,
			Timeouts:    timeouts,
		}
	}
	// KServe's rule names, by path family: the prefix's own rule, then
	// each inference endpoint's.
	families := []struct {
		prefix string
		names  []string
	}{
		{"/ns/llm", []string{"v1-catch-all-path", "v1-completions-path", "v1-chat-completions-path", "v1-responses-path", "v1-messages-path"}},
		{"/publishers/ns/models/llm", []string{"v1-publisher-path-catch-all", "v1-completions-publisher-path",
			"v1-chat-completions-publisher-path", "v1-responses-publisher-path", "v1-messages-publisher-path"}},
	}
	var rules []gatewayv1.HTTPRouteRule
	for _, f := range families {
		if !pooled {
			rules = append(rules, prefixRule(f.names[0], f.prefix, "/", backends))
			continue
		}
		rules = append(rules, prefixRule(f.names[0], f.prefix, "/", routeWantService))
		for i, ep := range []string{"/v1/completions", "/v1/chat/completions", "/v1/responses", "/v1/messages"} {
			rules = append(rules, prefixRule(f.names[i+1], f.prefix+ep, ep, backends, filters...))
		}
	}
	return gatewayv1.HTTPRouteSpec{
		CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: parents},
		Rules: append(rules, gatewayv1.HTTPRouteRule{
			Name:        ptr.To(gatewayv1.SectionName("v1-model-routing")),
			Matches:     routeWantInference("llm"),
			Filters:     filters,
			BackendRefs: backends,
			Timeouts:    timeouts,
		}, gatewayv1.HTTPRouteRule{
			Name:        ptr.To(gatewayv1.SectionName("v1-catch-all-model-routing")),
			Matches:     []gatewayv1.HTTPRouteMatch{routeWantHeader("llm")},
			BackendRefs: routeWantService,
			Timeouts:    timeouts,
		}),
	}
}

var routeWantPublisher = []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{
	Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To("/publishers/ns/models/llm"),
}}}

// routeWantInference match KServe's inference paths whose model name
// header names one of models, model by model.
func routeWantInference(models ...string) []gatewayv1.HTTPRouteMatch {
	var out []gatewayv1.HTTPRouteMatch
	for _, m := range models {
		for _, p := range []string{"/v1/completions", "/v1/completions/", "/v1/chat/completions", "/v1/chat/completions/",
			"/v1/responses", "/v1/responses/", "/v1/messages", "/v1/messages/"} {
			out = append(out, gatewayv1.HTTPRouteMatch{
				Path:    &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchExact), Value: ptr.To(p)},
				Headers: routeWantHeader(m).Headers,
			})
		}
	}
	return out
}

// routeWantHeader matches any path whose model name header names model.
func routeWantHeader(model string) gatewayv1.HTTPRouteMatch {
	return gatewayv1.HTTPRouteMatch{
		Path: &gatewayv1.HTTPPathMatch{Type: ptr.To(gatewayv1.PathMatchPathPrefix), Value: ptr.To("/")},
		Headers: []gatewayv1.HTTPHeaderMatch{{
			Type: ptr.To(gatewayv1.HeaderMatchExact), Name: "X-Gateway-Model-Name", Value: "publishers/ns/models/" + model,
		}},
	}
}

func TestRoute(t *testing.T) {
	managed := &spec.GatewaySpec{}
	route := &spec.GatewayRoutesSpec{}
	withSpec := func(s *gatewayv1.HTTPRouteSpec) *spec.GatewayRoutesSpec {
		return &spec.GatewayRoutesSpec{HTTP: &spec.HTTPRouteSpec{Spec: s}}
	}
	critical := spec.Criticality("Critical")
	cases := map[string]struct {
		reason      string
		router      *spec.RouterSpec
		criticality *spec.Criticality
		provider    v1beta1.Provider
		// platform changes the input's platform Gateway and what
		// spec.router.gateway: {} means.
		platform func(*config.Config)
		want     *gatewayv1.HTTPRouteSpec
	}{
		"ManagedGatewayPool": {
			reason: "With a scheduler the route sends the inference endpoints under /<ns>/<name> to the pool, the rest of it to the workload Service, rewritten, without timeouts.",
			router: &spec.RouterSpec{Gateway: managed, Route: route, Scheduler: &spec.SchedulerSpec{}},
			want:   ptr.To(routeWantSpec(routeWantManaged, routeWantPool, routeWantTimeouts)),
		},
		"Service": {
			reason: "Without a scheduler the route sends traffic to the workload Service.",
			router: &spec.RouterSpec{Gateway: managed, Route: route},
			want:   ptr.To(routeWantSpec(routeWantManaged, routeWantService, routeWantTimeouts)),
		},
		"PoolRef": {
			reason: "A referenced pool is the backend.",
			router: &spec.RouterSpec{Gateway: managed, Route: route, Scheduler: &spec.SchedulerSpec{Pool: &spec.InferencePoolSpec{Ref: &corev1.LocalObjectReference{Name: "shared"}}}},
			want:   ptr.To(routeWantSpec(routeWantManaged, routeWantBackend("inference.networking.k8s.io", "InferencePool", "shared", 8000), routeWantTimeouts)),
		},
		"GatewayRefs": {
			reason: "Each gateway ref is a parent, with its namespace and listener when set.",
			router: &spec.RouterSpec{
				Gateway: &spec.GatewaySpec{Refs: []spec.UntypedObjectReference{{Name: "shared", Namespace: "infra", SectionName: "https"}, {Name: "local"}}},
				Route:   route,
			},
			want: ptr.To(routeWantSpec([]gatewayv1.ParentReference{
				{Group: ptr.To(gatewayv1.Group("gateway.networking.k8s.io")), Kind: ptr.To(gatewayv1.Kind("Gateway")), Name: "shared", Namespace: ptr.To(gatewayv1.Namespace("infra")), SectionName: ptr.To(gatewayv1.SectionName("https"))},
				{Group: ptr.To(gatewayv1.Group("gateway.networking.k8s.io")), Kind: ptr.To(gatewayv1.Kind("Gateway")), Name: "local"},
			}, routeWantService, routeWantTimeouts)),
		},
		"Criticality": {
			reason:      "With criticality and a scheduler, requests carry the objective header.",
			router:      &spec.RouterSpec{Gateway: managed, Route: route, Scheduler: &spec.SchedulerSpec{}},
			criticality: &critical,
			want:        ptr.To(routeWantSpec(routeWantManaged, routeWantPool, routeWantTimeouts, routeWantObjective)),
		},
		"CriticalityWithoutScheduler": {
			reason:      "Without a scheduler nothing reads the objective header.",
			router:      &spec.RouterSpec{Gateway: managed, Route: route},
			criticality: &critical,
			want:        ptr.To(routeWantSpec(routeWantManaged, routeWantService, routeWantTimeouts)),
		},
		"GKE": {
			reason:   "GKE refuses route timeouts.",
			router:   &spec.RouterSpec{Gateway: managed, Route: route, Scheduler: &spec.SchedulerSpec{}},
			provider: v1beta1.ProviderGKE,
			want:     ptr.To(routeWantSpec(routeWantManaged, routeWantPool, nil)),
		},
		"RouteRefs": {
			reason: "With route refs nothing is composed.",
			router: &spec.RouterSpec{
				Gateway: &spec.GatewaySpec{Refs: []spec.UntypedObjectReference{{Name: "gw"}}},
				Route:   &spec.GatewayRoutesSpec{HTTP: &spec.HTTPRouteSpec{Refs: []corev1.LocalObjectReference{{Name: "mine"}}}},
			},
		},
		"UserHostnames": {
			reason: "A user spec with only hostnames keeps the default parents and rules.",
			router: &spec.RouterSpec{Gateway: managed, Route: withSpec(&gatewayv1.HTTPRouteSpec{Hostnames: []gatewayv1.Hostname{"llm.example.com"}})},
			want: func() *gatewayv1.HTTPRouteSpec {
				s := routeWantSpec(routeWantManaged, routeWantService, routeWantTimeouts)
				s.Hostnames = []gatewayv1.Hostname{"llm.example.com"}
				return &s
			}(),
		},
		"UserParentsWithoutGateway": {
			reason: "Without spec.router.gateway the user's parentRefs are the parents.",
			router: &spec.RouterSpec{Route: withSpec(&gatewayv1.HTTPRouteSpec{CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "z"}, {Name: "a"}}}})},
			want:   ptr.To(routeWantSpec([]gatewayv1.ParentReference{{Name: "z"}, {Name: "a"}}, routeWantService, routeWantTimeouts)),
		},
		"PlatformGateway": {
			reason: "Without spec.router.gateway the route attaches to the platform's Gateway, in its own namespace, as KServe's route does.",
			router: &spec.RouterSpec{Route: route, Scheduler: &spec.SchedulerSpec{}},
			want:   ptr.To(routeWantSpec(routeWantPlatform("kserve", "kserve-ingress-gateway"), routeWantPool, routeWantTimeouts)),
		},
		"PlatformGatewayFromInput": {
			reason: "The platform's Gateway is the input's.",
			router: &spec.RouterSpec{Route: withSpec(&gatewayv1.HTTPRouteSpec{})},
			platform: func(c *config.Config) {
				c.PlatformGateway = config.GatewayRef{Name: "inference", Namespace: "gateways"}
			},
			want: ptr.To(routeWantSpec(routeWantPlatform("gateways", "inference"), routeWantService, routeWantTimeouts)),
		},
		"EmptyGatewayIsPlatform": {
			reason:   "When the input says so, spec.router.gateway: {} is the platform's Gateway too, as in KServe.",
			router:   &spec.RouterSpec{Gateway: managed, Route: route},
			platform: func(c *config.Config) { c.EmptyGateway = v1beta1.EmptyGatewayPlatform },
			want:     ptr.To(routeWantSpec(routeWantPlatform("kserve", "kserve-ingress-gateway"), routeWantService, routeWantTimeouts)),
		},
		"GatewayRefsNotPlatform": {
			reason:   "Gateway refs are the parents whatever gateway: {} means.",
			router:   &spec.RouterSpec{Gateway: &spec.GatewaySpec{Refs: []spec.UntypedObjectReference{{Name: "local"}}}, Route: route},
			platform: func(c *config.Config) { c.EmptyGateway = v1beta1.EmptyGatewayPlatform },
			want: ptr.To(routeWantSpec([]gatewayv1.ParentReference{
				{Group: ptr.To(gatewayv1.Group("gateway.networking.k8s.io")), Kind: ptr.To(gatewayv1.Kind("Gateway")), Name: "local"},
			}, routeWantService, routeWantTimeouts)),
		},
		"UserParentsWithPlatformGateway": {
			reason:   "With gateway: {} meaning the platform's Gateway, the user's parentRefs replace it, as with no gateway.",
			router:   &spec.RouterSpec{Gateway: managed, Route: withSpec(&gatewayv1.HTTPRouteSpec{CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{{Name: "mine"}}}})},
			platform: func(c *config.Config) { c.EmptyGateway = v1beta1.EmptyGatewayPlatform },
			want:     ptr.To(routeWantSpec([]gatewayv1.ParentReference{{Name: "mine"}}, routeWantService, routeWantTimeouts)),
		},
		"UserDefaultGatewaysWithoutGateway": {
			reason: "useDefaultGateways says where the route attaches: no parent is added.",
			router: &spec.RouterSpec{Route: withSpec(&gatewayv1.HTTPRouteSpec{CommonRouteSpec: gatewayv1.CommonRouteSpec{UseDefaultGateways: gatewayv1.GatewayDefaultScopeAll}})},
			want: func() *gatewayv1.HTTPRouteSpec {
				s := routeWantSpec(nil, routeWantService, routeWantTimeouts)
				s.UseDefaultGateways = gatewayv1.GatewayDefaultScopeAll
				return &s
			}(),
		},
		"UserParentsEqualRefs": {
			reason: "parentRefs that name the gateway refs again, spelled differently and in another order, are fine.",
			router: &spec.RouterSpec{
				Gateway: &spec.GatewaySpec{Refs: []spec.UntypedObjectReference{{Name: "a"}, {Name: "b", Namespace: "infra"}}},
				Route: withSpec(&gatewayv1.HTTPRouteSpec{CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: []gatewayv1.ParentReference{
					{Name: "b", Namespace: ptr.To(gatewayv1.Namespace("infra"))},
					{Name: "a", Namespace: ptr.To(gatewayv1.Namespace("ns")), Kind: ptr.To(gatewayv1.Kind("Gateway"))},
				}}}),
			},
			want: ptr.To(routeWantSpec([]gatewayv1.ParentReference{
				{Name: "b", Namespace: ptr.To(gatewayv1.Namespace("infra"))},
				{Name: "a", Namespace: ptr.To(gatewayv1.Namespace("ns")), Kind: ptr.To(gatewayv1.Kind("Gateway"))},
			}, routeWantService, routeWantTimeouts)),
		},
		"UserRules": {
			reason: "User rules replace the default rule, in order; backends and timeouts they leave out are filled in, those they set are kept, and redirects get no backends.",
			router: &spec.RouterSpec{Gateway: managed, Scheduler: &spec.SchedulerSpec{}, Route: withSpec(&gatewayv1.HTTPRouteSpec{Rules: []gatewayv1.HTTPRouteRule{
				{Matches: []gatewayv1.HTTPRouteMatch{{Headers: []gatewayv1.HTTPHeaderMatch{{Name: "x-tenant", Value: "a"}}}}},
				{BackendRefs: routeWantService, Timeouts: &gatewayv1.HTTPRouteTimeouts{Request: ptr.To(gatewayv1.Duration("300s"))}},
				{Filters: []gatewayv1.HTTPRouteFilter{{Type: gatewayv1.HTTPRouteFilterRequestRedirect, RequestRedirect: &gatewayv1.HTTPRequestRedirectFilter{Scheme: ptr.To("https")}}}},
			}})},
			want: &gatewayv1.HTTPRouteSpec{
				CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: routeWantManaged},
				Rules: []gatewayv1.HTTPRouteRule{
					{Matches: []gatewayv1.HTTPRouteMatch{{Headers: []gatewayv1.HTTPHeaderMatch{{Name: "x-tenant", Value: "a"}}}}, BackendRefs: routeWantPool, Timeouts: routeWantTimeouts},
					{BackendRefs: routeWantService, Timeouts: &gatewayv1.HTTPRouteTimeouts{Request: ptr.To(gatewayv1.Duration("300s"))}},
					{Filters: []gatewayv1.HTTPRouteFilter{{Type: gatewayv1.HTTPRouteFilterRequestRedirect, RequestRedirect: &gatewayv1.HTTPRequestRedirectFilter{Scheme: ptr.To("https")}}}, Timeouts: routeWantTimeouts},
				},
			},
		},
		"UserRulesGKE": {
			reason:   "On GKE user rules get no timeouts either.",
			router:   &spec.RouterSpec{Gateway: managed, Route: withSpec(&gatewayv1.HTTPRouteSpec{Rules: []gatewayv1.HTTPRouteRule{{}}})},
			provider: v1beta1.ProviderGKE,
			want: &gatewayv1.HTTPRouteSpec{
				CommonRouteSpec: gatewayv1.CommonRouteSpec{ParentRefs: routeWantManaged},
				Rules:           []gatewayv1.HTTPRouteRule{{BackendRefs: routeWantService}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.provider != "" {
				cfg.Provider = tc.provider
			}
			if tc.platform != nil {
				tc.platform(&cfg)
			}
			svc := routeService(tc.router)
			svc.Platform = cfg.Platform()
			svc.Spec.Model.Criticality = tc.criticality
			var before *gatewayv1.HTTPRouteSpec
			if h := tc.router.Route.HTTP; h != nil && h.Spec != nil {
				before = h.Spec.DeepCopy()
			}
			objs := (&builder{svc: svc, cfg: cfg}).route()
			if tc.want == nil {
				if len(objs) != 0 {
					t.Errorf("%s\nroute(): want nothing, got %v", tc.reason, objs)
				}
				return
			}
			if len(objs) != 1 || objs[0].Name != ResourceRoute {
				t.Fatalf("%s\nroute(): want one object %q, got %v", tc.reason, ResourceRoute, objs)
			}
			rt, ok := objs[0].Object.(*gatewayv1.HTTPRoute)
			if !ok {
				t.Fatalf("route(): want *HTTPRoute, got %T", objs[0].Object)
			}
			if rt.APIVersion != "gateway.networking.k8s.io/v1" || rt.Kind != "HTTPRoute" || rt.Name != "llm-route" || rt.Namespace != "ns" || rt.Labels[labelComponent] != componentRouter {
				t.Errorf("%s\nroute(): wrong type or metadata: %v %v", tc.reason, rt.TypeMeta, rt.ObjectMeta)
			}
			if diff := cmp.Diff(*tc.want, rt.Spec); diff != "" {
				t.Errorf("%s\nroute(): -want, +got:\n%s", tc.reason, diff)
			}
			if h := tc.router.Route.HTTP; h != nil && h.Spec != nil {
				if diff := cmp.Diff(before, h.Spec); diff != "" {
					t.Errorf("route() changed the user's spec: -before, +after:\n%s", diff)
				}
			}
			if _, err := ToComposed(rt); err != nil {
				t.Errorf("ToComposed(route): %v", err)
			}
		})
	}
}

// TestRouteComposed checks that the zero durations and the "/" rewrite,
// which look like empty values, survive conversion to the applied intent.
func TestRouteComposed(t *testing.T) {
	b := &builder{svc: routeService(&spec.RouterSpec{Gateway: &spec.GatewaySpec{}, Route: &spec.GatewayRoutesSpec{}}), cfg: config.Default()}
	objs := b.route()
	if len(objs) != 1 {
		t.Fatalf("route(): %v", objs)
	}
	cd, err := ToComposed(objs[0].Object)
	if err != nil {
		t.Fatalf("ToComposed: %v", err)
	}
	for path, want := range map[string]string{
		"spec.rules[0].timeouts.request":                              "0s",
		"spec.rules[0].timeouts.backendRequest":                       "0s",
		"spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch": "/",
		"spec.rules[0].matches[0].path.value":                         "/ns/llm",
		"spec.parentRefs[0].name":                                     "llm-gateway",
		"spec.rules[0].backendRefs[0].name":                           "llm-workload",
	} {
		if got, err := cd.GetString(path); err != nil || got != want {
			t.Errorf("%s: want %q, got %q (%v)", path, want, got, err)
		}
	}
}
