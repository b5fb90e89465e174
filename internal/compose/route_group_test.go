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

func TestGroupRoute(t *testing.T) {
	pool := func(name string) gatewayv1.BackendObjectReference {
		return routeWantBackend("inference.networking.k8s.io", "InferencePool", name, 8000)[0].BackendObjectReference
	}
	weighted := func(ws ...WeightedBackend) []gatewayv1.HTTPBackendRef {
		var out []gatewayv1.HTTPBackendRef
		for _, w := range ws {
			out = append(out, gatewayv1.HTTPBackendRef{BackendRef: gatewayv1.BackendRef{BackendObjectReference: w.Backend, Weight: ptr.To(w.Weight)}})
		}
		return out
	}
	members := []WeightedBackend{{Backend: pool("a-inference-pool"), Weight: 90}, {Backend: pool("llm-inference-pool"), Weight: 10}}
	other := routeWantBackend("", "", "elsewhere", 8000)
	cases := map[string]struct {
		reason string
		rules  []gatewayv1.HTTPRouteRule
		want   []gatewayv1.HTTPRouteRule
	}{
		"ModelRulesWeighted": {
			reason: "The publisher path and the header rules, the catch-all to the workload Service too, send to every member by weight, as KServe weighs them; the service's own path stays its own.",
			rules:  routeWantSpec(nil, routeWantPool, nil).Rules,
			want: func() []gatewayv1.HTTPRouteRule {
				r := routeWantSpec(nil, routeWantPool, nil).Rules
				// The first five are the service's own path: the prefix
				// and its four inference endpoints.
				for i := 5; i < len(r); i++ {
					r[i].BackendRefs = weighted(members...)
				}
				return r
			}(),
		},
		"UserRuleUnderOwnPath": {
			reason: "A rule under the service's own path addresses it only.",
			rules: []gatewayv1.HTTPRouteRule{{
				Matches:     []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{Value: ptr.To("/ns/llm/v1/models")}}},
				BackendRefs: routeWantPool,
			}},
			want: []gatewayv1.HTTPRouteRule{{
				Matches:     []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{Value: ptr.To("/ns/llm/v1/models")}}},
				BackendRefs: routeWantPool,
			}},
		},
		"UserRuleElsewhere": {
			reason: "A rule the user sends to another backend is left alone; one with the default backend is weighted.",
			rules:  []gatewayv1.HTTPRouteRule{{BackendRefs: other}, {BackendRefs: routeWantPool}},
			want:   []gatewayv1.HTTPRouteRule{{BackendRefs: other}, {BackendRefs: weighted(members...)}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := routeService(&spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}, Scheduler: &spec.SchedulerSpec{}})
			rt := &gatewayv1.HTTPRoute{Spec: gatewayv1.HTTPRouteSpec{Rules: tc.rules}}
			before := rt.DeepCopy()
			got := GroupRoute(rt, svc, members)
			if diff := cmp.Diff(tc.want, got.Spec.Rules); diff != "" {
				t.Errorf("%s\nGroupRoute: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(before, rt); diff != "" {
				t.Errorf("GroupRoute changed the planned route: -before, +after:\n%s", diff)
			}
		})
	}
}

func TestBackend(t *testing.T) {
	cases := map[string]struct {
		router *spec.RouterSpec
		want   gatewayv1.BackendObjectReference
	}{
		"Pool": {
			router: &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}, Scheduler: &spec.SchedulerSpec{}},
			want:   routeWantPool[0].BackendObjectReference,
		},
		"PoolRef": {
			router: &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}, Scheduler: &spec.SchedulerSpec{Pool: &spec.InferencePoolSpec{Ref: &corev1.LocalObjectReference{Name: "shared"}}}},
			want:   routeWantBackend("inference.networking.k8s.io", "InferencePool", "shared", 8000)[0].BackendObjectReference,
		},
		"Service": {
			router: &spec.RouterSpec{Route: &spec.GatewayRoutesSpec{}},
			want:   routeWantService[0].BackendObjectReference,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Backend(routeService(tc.router))); diff != "" {
				t.Errorf("Backend: -want, +got:\n%s", diff)
			}
		})
	}
}

func TestRouteModelRouting(t *testing.T) {
	lora := &spec.LoRASpec{Adapters: []spec.LoRAAdapterSpec{{Name: "sql"}, {Name: "chat"}}}
	cases := map[string]struct {
		reason        string
		mode          v1beta1.ModelBasedRoutingMode
		lora          *spec.LoRASpec
		authenticated bool
		wantNames     []string // the names the header rules match; nil: no header rules
	}{
		"Enabled": {
			reason:    "The header rules match the served model's qualified name.",
			wantNames: []string{"llm"},
		},
		"Forced": {
			reason:    "Forced composes the same rules; only Gateways' opt-outs are ignored.",
			mode:      v1beta1.ModelBasedRoutingForced,
			wantNames: []string{"llm"},
		},
		"LoRA": {
			reason:    "The matches of each LoRA adapter, sorted, after the base model's.",
			lora:      lora,
			wantNames: []string{"llm", "chat", "sql"},
		},
		"Disabled": {
			reason: "Disabled composes no header rule.",
			mode:   v1beta1.ModelBasedRoutingDisabled,
		},
		"Authenticated": {
			reason:        "An authenticated service is reached by its paths only: the policies are scoped to them.",
			authenticated: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.mode != "" {
				cfg.ModelBasedRoutingMode = tc.mode
			}
			svc := routeService(&spec.RouterSpec{Gateway: &spec.GatewaySpec{}, Route: &spec.GatewayRoutesSpec{}})
			svc.Spec.Model.LoRA = tc.lora
			svc.Platform = cfg.Platform()
			svc.Platform.Authentication = tc.authenticated
			objs := (&builder{svc: svc, cfg: cfg}).route()
			rt := objs[0].Object.(*gatewayv1.HTTPRoute)
			if diff := cmp.Diff(routeWantPublisher, rt.Spec.Rules[1].Matches); diff != "" {
				t.Errorf("%s\npublisher path: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.wantNames == nil {
				if len(rt.Spec.Rules) != 2 {
					t.Errorf("%s\nwant no header rules, got %d rules", tc.reason, len(rt.Spec.Rules))
				}
				return
			}
			if len(rt.Spec.Rules) != 4 {
				t.Fatalf("%s\nwant 4 rules, got %d", tc.reason, len(rt.Spec.Rules))
			}
			if diff := cmp.Diff(routeWantInference(tc.wantNames...), rt.Spec.Rules[2].Matches); diff != "" {
				t.Errorf("%s\ninference paths by header: -want, +got:\n%s", tc.reason, diff)
			}
			var catchAll []gatewayv1.HTTPRouteMatch
			for _, n := range tc.wantNames {
				catchAll = append(catchAll, routeWantHeader(n))
			}
			if diff := cmp.Diff(catchAll, rt.Spec.Rules[3].Matches); diff != "" {
				t.Errorf("%s\nany path by header: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(routeWantBackend("", "", "llm-workload", 8000), rt.Spec.Rules[3].BackendRefs); diff != "" {
				t.Errorf("%s\nany path by header goes to the workload Service: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestWithoutModelHeader(t *testing.T) {
	full := &gatewayv1.HTTPRoute{Spec: routeWantSpec(nil, routeWantPool, nil)}
	// The path rules; the two header rules follow them.
	paths := len(full.Spec.Rules) - 2
	mixed := full.DeepCopy()
	mixed.Spec.Rules[paths].Matches = append(mixed.Spec.Rules[paths].Matches, routeWantPublisher...)
	cases := map[string]struct {
		reason string
		rt     *gatewayv1.HTTPRoute
		header string
		want   []gatewayv1.HTTPRouteRule
	}{
		"RuleDropped": {
			reason: "A rule left without matches goes; the header is compared case-insensitively.",
			rt:     full,
			header: "x-gateway-model-name",
			want:   full.Spec.Rules[:paths],
		},
		"MatchDropped": {
			reason: "A rule with other matches keeps them.",
			rt:     mixed,
			header: "X-Gateway-Model-Name",
			want: func() []gatewayv1.HTTPRouteRule {
				r := mixed.DeepCopy().Spec.Rules[:paths+1]
				r[paths].Matches = routeWantPublisher
				return r
			}(),
		},
		"OtherHeader": {
			reason: "Nothing matches another header: the route is returned as is.",
			rt:     full,
			header: "X-Other",
			want:   full.Spec.Rules,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := tc.rt.DeepCopy()
			got := WithoutModelHeader(tc.rt, tc.header)
			if diff := cmp.Diff(tc.want, got.Spec.Rules); diff != "" {
				t.Errorf("%s\nWithoutModelHeader: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(before, tc.rt); diff != "" {
				t.Errorf("WithoutModelHeader changed its input: -before, +after:\n%s", diff)
			}
		})
	}
}
