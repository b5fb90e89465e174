package compose

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

func TestCheckRoute(t *testing.T) {
	withAdapters := func(n int) *spec.Service {
		svc := routeService(&spec.RouterSpec{Gateway: &spec.GatewaySpec{}, Route: &spec.GatewayRoutesSpec{}})
		if n > 0 {
			svc.Spec.Model.LoRA = &spec.LoRASpec{}
		}
		for i := range n {
			svc.Spec.Model.LoRA.Adapters = append(svc.Spec.Model.LoRA.Adapters, spec.LoRAAdapterSpec{URI: "hf://org/a", Name: fmt.Sprintf("a%03d", i)})
		}
		return svc
	}
	// With a scheduler each of the two paths is five rules: the prefix and
	// its four inference endpoints.
	pooledWithAdapters := func(n int) *spec.Service {
		svc := withAdapters(n)
		svc.Spec.Router.Scheduler = &spec.SchedulerSpec{}
		return svc
	}
	withRules := func(n int) *spec.Service {
		svc := withAdapters(0)
		rules := make([]gatewayv1.HTTPRouteRule, n)
		for i := range rules {
			rules[i].Matches = []gatewayv1.HTTPRouteMatch{{Path: &gatewayv1.HTTPPathMatch{Value: ptr.To(fmt.Sprintf("/r%d", i))}}}
		}
		svc.Spec.Router.Route.HTTP = &spec.HTTPRouteSpec{Spec: &gatewayv1.HTTPRouteSpec{Rules: rules}}
		return svc
	}
	cases := map[string]struct {
		reason    string
		svc       *spec.Service
		wantRules int    // rules of the composed route, when accepted
		wantErr   string // the field and part of the message, when refused
		wantMost  int    // how many adapters the message says fit
		wantNames []string
	}{
		"NoAdapters": {
			reason: "The service's path, the publisher path, the model at the eight inference paths and at any other.",
			svc:    withAdapters(0), wantRules: 4,
		},
		"OneInferenceRuleFull": {
			reason: "The model and 7 adapters at the eight inference paths fill one rule of 64 matches.",
			svc:    withAdapters(7), wantRules: 4,
		},
		"SecondInferenceRule": {
			reason: "One more adapter takes a second rule for the inference paths: a rule holds 64 matches.",
			svc:    withAdapters(8), wantRules: 5,
			wantNames: []string{"v1-catch-all-path", "v1-publisher-path-catch-all", "v1-model-routing", "v1-model-routing-2", "v1-catch-all-model-routing"},
		},
		"AllMatchesUsed": {
			reason: "Two paths and 9 matches for each of the model and 13 adapters are the 128 matches a route may have.",
			svc:    withAdapters(13), wantRules: 5,
		},
		"TooManyAdapters": {
			reason:   "One more adapter is refused where the adapters are, with the most that fit.",
			svc:      withAdapters(14),
			wantErr:  "spec.model.lora.adapters: Invalid value: \"14 adapters\": the composed HTTPRoute llm-route would be refused by the API server: it has 137 matches in all",
			wantMost: 13,
		},
		"PooledAllMatchesUsed": {
			reason: "With a pool, ten path rules and 9 matches for each of the model and 12 adapters are 127 matches, in 13 rules.",
			svc:    pooledWithAdapters(12), wantRules: 13,
		},
		"PooledTooManyAdapters": {
			reason:   "With a pool one adapter fewer fits.",
			svc:      pooledWithAdapters(13),
			wantErr:  "spec.model.lora.adapters: Invalid value: \"13 adapters\": the composed HTTPRoute llm-route would be refused by the API server: it has 136 matches in all",
			wantMost: 12,
		},
		"TooManyUserRules": {
			reason:  "The user's own 17 rules are one more than a route may have.",
			svc:     withRules(17),
			wantErr: "spec.router.route.http.spec.rules: Invalid value: 17: the composed HTTPRoute llm-route would be refused by the API server: it has 17 rules",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &builder{svc: tc.svc, cfg: config.Default()}
			objs := b.route()
			if len(objs) != 1 {
				t.Fatalf("route(): %v", objs)
			}
			rt := objs[0].Object.(*gatewayv1.HTTPRoute)
			errs := b.checkRoute(rt)
			if tc.wantErr != "" {
				if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.wantErr) {
					t.Fatalf("%s\ncheckRoute: want one error with %q, got %v", tc.reason, tc.wantErr, errs)
				}
				if most := fmt.Sprintf("serve at most %d adapters", tc.wantMost); tc.wantMost > 0 && !strings.Contains(errs[0].Error(), most) {
					t.Errorf("%s\ncheckRoute: the message does not say how many adapters fit: %v", tc.reason, errs)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("%s\ncheckRoute: %v", tc.reason, errs)
			}
			if len(rt.Spec.Rules) != tc.wantRules {
				t.Errorf("%s\nrules: want %d, got %d", tc.reason, tc.wantRules, len(rt.Spec.Rules))
			}
			names := map[string]bool{}
			var got []string
			for i, r := range rt.Spec.Rules {
				if len(r.Matches) > maxRuleMatches {
					t.Errorf("%s\nrule %d has %d matches", tc.reason, i, len(r.Matches))
				}
				// Gateway API requires a rule's name to be unique in
				// its route; the user's own rules are left unnamed.
				if r.Name == nil {
					continue
				}
				if names[string(*r.Name)] {
					t.Errorf("%s\nrule %d: name %q given twice", tc.reason, i, *r.Name)
				}
				names[string(*r.Name)] = true
				got = append(got, string(*r.Name))
			}
			if tc.wantNames != nil && !slices.Equal(got, tc.wantNames) {
				t.Errorf("%s\nrule names: want %v, got %v", tc.reason, tc.wantNames, got)
			}
		})
	}
}
