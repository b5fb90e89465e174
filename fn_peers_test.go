package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"k8s.io/utils/ptr"
)

// peerTestXR is a v1alpha2 XR named name in namespace ns (cluster scoped when
// empty) with the given metadata fields and router.
func peerTestXR(name, ns, meta, router string) string {
	nsField := ""
	if ns != "" {
		nsField = `, "namespace": "` + ns + `"`
	}
	r := ""
	if router != "" {
		r = `, "router": ` + router
	}
	return `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService",
	  "metadata": {"name": "` + name + `"` + nsField + meta + `},
	  "spec": {"model": {"uri": "hf://o/m", "name": "m"},
	    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}` + r + `}}`
}

// TestRunFunctionPeersRequirement checks who asks Crossplane for the
// services of the namespace, and how: a service with neither a route
// group nor a managed route asks for nothing more than it did without
// route groups.
func TestRunFunctionPeersRequirement(t *testing.T) {
	all := func(ns string) *fnv1.ResourceSelector {
		return &fnv1.ResourceSelector{ApiVersion: "serving.kserve.io/v1alpha2", Kind: "LLMInferenceService", Namespace: ptr.To(ns),
			Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{}}}}
	}
	cases := map[string]struct {
		reason string
		xr     string
		input  string
		// want is the peers requirement, nil for none; wantNames every
		// requirement asked for.
		want      *fnv1.ResourceSelector
		wantNames []string
	}{
		"NoRouter": {
			reason: "Without a router nothing is asked for.",
			xr:     peerTestXR("a", "ns", "", ""),
		},
		"RouteRefs": {
			reason:    "The user's own routes: only the routes and their Gateways are read.",
			xr:        peerTestXR("a", "ns", "", `{"gateway": {"refs": [{"name": "gw"}]}, "route": {"http": {"refs": [{"name": "r"}]}}}`),
			wantNames: []string{"gateway/ns/gw", "httproute/ns/r"},
		},
		"SchedulerOnly": {
			reason: "A scheduler without a route routes nothing by model name.",
			xr:     peerTestXR("a", "ns", "", `{"scheduler": {}}`),
		},
		"ManagedRoute": {
			reason:    "A managed route reads every service of the namespace, at the XR's own version, for model-name collisions.",
			xr:        peerTestXR("a", "ns", "", `{"gateway": {}, "route": {}}`),
			want:      all("ns"),
			wantNames: []string{requirementPeers},
		},
		"ManagedRouteCollisionsIgnored": {
			reason: "With collisions ignored, a managed route outside a group reads no peers.",
			xr:     peerTestXR("a", "ns", "", `{"gateway": {}, "route": {}}`),
			input:  `{"router": {"modelNameCollisions": "ignore"}}`,
		},
		"GroupCollisionsIgnored": {
			reason:    "A group member reads its peers whatever the input says of collisions.",
			xr:        peerTestXR("a", "ns", "", `{"gateway": {}, "route": {"group": "g", "weight": 1}}`),
			input:     `{"router": {"modelNameCollisions": "ignore"}}`,
			want:      all("ns"),
			wantNames: []string{requirementPeers},
		},
		"Group": {
			reason:    "A group member reads them by the same one requirement.",
			xr:        peerTestXR("a", "ns", "", `{"gateway": {}, "route": {"group": "g", "weight": 1}}`),
			want:      all("ns"),
			wantNames: []string{requirementPeers},
		},
		"Stopped": {
			reason: "A stopped service composes no route and reads no peers.",
			xr:     peerTestXR("a", "ns", `, "annotations": {"serving.kserve.io/stop": "true"}`, `{"gateway": {}, "route": {"group": "g", "weight": 1}}`),
		},
		"LegacyClaim": {
			reason: "A legacy XR is cluster scoped: its peers are the XRs of claims in the same namespace.",
			xr:     peerTestXR("a-x7k2p", "", `, "labels": {"crossplane.io/claim-name": "a", "crossplane.io/claim-namespace": "team"}`, `{"gateway": {}, "route": {}}`),
			want: &fnv1.ResourceSelector{ApiVersion: "serving.kserve.io/v1alpha2", Kind: "LLMInferenceService",
				Match: &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{"crossplane.io/claim-namespace": "team"}}}},
			wantNames: []string{requirementPeers},
		},
		"LegacyNoClaim": {
			reason: "A cluster scoped XR made for no claim reads no peers.",
			xr:     peerTestXR("a", "", "", `{"gateway": {}, "route": {}}`),
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			input := tc.input
			if strings.Contains(name, "Legacy") {
				input = `{"namespace": "models"}`
			}
			rsp, err := f.RunFunction(context.Background(), newRequest(tc.xr, nil, input))
			if err != nil {
				t.Fatal(err)
			}
			if r := rsp.GetResults(); len(r) > 0 && r[0].GetSeverity() == fnv1.Severity_SEVERITY_FATAL {
				t.Fatalf("Fatal: %s", r[0].GetMessage())
			}
			got := rsp.GetRequirements().GetResources()
			if diff := cmp.Diff(tc.want, got[requirementPeers], protocmp.Transform()); diff != "" {
				t.Errorf("%s\npeers requirement: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantNames, summarise(rsp).Requirements); diff != "" {
				t.Errorf("%s\nrequirements: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestRunFunctionRouteGroup checks a member's route and status as its
// peers change: weights for the members that serve, none for those that
// do not yet, are stopped or serve other models.
func TestRunFunctionRouteGroup(t *testing.T) {
	const group = `{"gateway": {}, "route": {"group": "g", "weight": %s}, "scheduler": {}}`
	member := func(name, weight, meta, status string) string {
		xr := peerTestXR(name, "ns", meta, strings.Replace(group, "%s", weight, 1))
		if status != "" {
			xr = strings.TrimSuffix(xr, "}") + `, "status": ` + status + `}`
		}
		return xr
	}
	const (
		serving  = `{"conditions": [{"type": "WorkloadsReady", "status": "True"}], "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 1}, "scheduler": {"kind": "Deployment", "name": "y", "readyReplicas": 1}}}`
		starting = `{"conditions": [{"type": "WorkloadsReady", "status": "False"}]}`
		other    = `{"conditions": [{"type": "WorkloadsReady", "status": "True"}], "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 1}}, "addresses": [{"models": [{"name": "n"}]}]}`
		stop     = `, "annotations": {"serving.kserve.io/stop": "true"}`
	)
	cases := map[string]struct {
		reason  string
		peers   []string
		want    map[string]int32 // pool name -> weight on the model rules
		members []string
		cond    map[string]string
	}{
		"PeerStarting": {
			reason:  "A peer not ready yet gets no share: the member sends everything to itself.",
			peers:   []string{member("b", "90", "", starting)},
			want:    map[string]int32{"a-inference-pool": 10},
			members: []string{"a"},
			cond:    map[string]string{"GroupReady": "True", "GroupDegraded": "False"},
		},
		"PeerServing": {
			reason:  "A serving peer gets its weight.",
			peers:   []string{member("b", "90", "", serving)},
			want:    map[string]int32{"a-inference-pool": 10, "b-inference-pool": 90},
			members: []string{"a", "b"},
			cond:    map[string]string{"GroupReady": "True", "GroupDegraded": "False"},
		},
		"PeerStopped": {
			reason:  "A stopped peer stays a member but gets no share.",
			peers:   []string{member("b", "90", stop, "")},
			want:    map[string]int32{"a-inference-pool": 10},
			members: []string{"a", "b"},
			cond:    map[string]string{"GroupReady": "True", "GroupDegraded": "False"},
		},
		"PeerDivergent": {
			reason:  "A peer serving other models gets no share and degrades the group, with a Warning.",
			peers:   []string{member("b", "90", "", other)},
			want:    map[string]int32{"a-inference-pool": 10},
			members: []string{"a"},
			cond:    map[string]string{"GroupReady": "True", "GroupDegraded": "True"},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(member("a", "10", "", ""), nil, "")
			req.RequiredResources = map[string]*fnv1.Resources{requirementPeers: {}}
			for _, p := range append([]string{member("a", "10", "", "")}, tc.peers...) {
				req.RequiredResources[requirementPeers].Items = append(req.RequiredResources[requirementPeers].Items, &fnv1.Resource{Resource: resource.MustStructJSON(p)})
			}
			rsp, err := f.RunFunction(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			rt := rsp.GetDesired().GetResources()["route"].GetResource().AsMap()
			rules, _ := rt["spec"].(map[string]any)["rules"].([]any)
			// The service's path and the publisher path, each a prefix and
			// four inference endpoints, and the two model name header rules.
			if len(rules) != 12 {
				t.Fatalf("want 12 rules, got %d", len(rules))
			}
			for i, r := range rules {
				got := map[string]int32{}
				for _, b := range r.(map[string]any)["backendRefs"].([]any) {
					ref := b.(map[string]any)
					w, _ := ref["weight"].(float64)
					got[ref["name"].(string)] = int32(w)
				}
				want := tc.want
				switch {
				case i == 0:
					// The member's own path reaches it only, unweighted:
					// its workload Service past the picker, and
					want = map[string]int32{"a-workload": 0}
				case i < 5:
					// its pool at the inference endpoints.
					want = map[string]int32{"a-inference-pool": 0}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s\nrule %d backends: -want, +got:\n%s", tc.reason, i, diff)
				}
			}
			xr := rsp.GetDesired().GetComposite().GetResource().AsMap()
			g, _ := xr["status"].(map[string]any)["router"].(map[string]any)["group"].(map[string]any)
			var members []string
			for _, m := range g["members"].([]any) {
				members = append(members, m.(map[string]any)["name"].(string))
			}
			if diff := cmp.Diff(tc.members, members); diff != "" {
				t.Errorf("%s\nstatus.router.group.members: -want, +got:\n%s", tc.reason, diff)
			}
			for typ, want := range tc.cond {
				var got string
				for _, c := range rsp.GetConditions() {
					if c.GetType() == typ {
						got = strings.TrimPrefix(c.GetStatus().String(), "STATUS_CONDITION_")
					}
				}
				if !strings.EqualFold(got, want) {
					t.Errorf("%s\ncondition %s: want %s, got %q", tc.reason, typ, want, got)
				}
			}
		})
	}
}

// TestRunFunctionModelRoutingOptOut checks KServe's Gateway opt-out: in
// mode enabled, a Gateway the route attaches to annotated
// serving.kserve.io/model-based-routing-enabled: "false" drops the model
// name header rule; forced keeps it.
func TestRunFunctionModelRoutingOptOut(t *testing.T) {
	gateway := func(annotations string) string {
		return `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
		  "metadata": {"name": "kserve-ingress-gateway", "namespace": "kserve", "annotations": {` + annotations + `}}, "spec": {"gatewayClassName": "c", "listeners": []}}`
	}
	cases := map[string]struct {
		reason string
		gw     string
		input  string
		want   int
	}{
		"OptedOut":    {reason: "The header rule goes.", gw: gateway(`"serving.kserve.io/model-based-routing-enabled": "false"`), want: 2},
		"NotOptedOut": {reason: "Any other value keeps it.", gw: gateway(`"serving.kserve.io/model-based-routing-enabled": "true"`), want: 4},
		"Forced":      {reason: "Forced ignores the Gateway.", gw: gateway(`"serving.kserve.io/model-based-routing-enabled": "false"`), input: `{"router": {"modelBasedRoutingMode": "forced"}}`, want: 4},
		"Disabled":    {reason: "Disabled never composes it.", gw: gateway(``), input: `{"router": {"modelBasedRoutingMode": "disabled"}}`, want: 2},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(peerTestXR("a", "ns", "", `{"route": {}}`), nil, tc.input)
			req.RequiredResources = map[string]*fnv1.Resources{
				"gateway/kserve/kserve-ingress-gateway": {Items: []*fnv1.Resource{{Resource: resource.MustStructJSON(tc.gw)}}},
			}
			rsp, err := f.RunFunction(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			rt := rsp.GetDesired().GetResources()["route"].GetResource().AsMap()
			rules, _ := rt["spec"].(map[string]any)["rules"].([]any)
			if len(rules) != tc.want {
				t.Errorf("%s\nwant %d rules, got %d", tc.reason, tc.want, len(rules))
			}
		})
	}
}

// BenchmarkRunFunctionPeers measures a group member's call with n services
// in its namespace, the plan cached as served: what reading the peers adds
// to every call of every service with a managed route.
func BenchmarkRunFunctionPeers(b *testing.B) {
	for _, n := range []int{0, 16, maxPeers} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			f := &Function{log: logging.NewNopLogger(), plans: newPlanCache(DefaultPlanCacheMiB << 20)}
			self := peerTestXR("a", "ns", "", `{"gateway": {}, "route": {"group": "g", "weight": 1}, "scheduler": {}}`)
			req := newRequest(self, nil, "")
			req.RequiredResources = map[string]*fnv1.Resources{requirementPeers: {}}
			for i := range n {
				p := peerTestXR(fmt.Sprintf("p%03d", i), "ns", "", `{"gateway": {}, "route": {"group": "g", "weight": 1}, "scheduler": {}}`)
				p = strings.TrimSuffix(p, "}") + `, "status": {"conditions": [{"type": "WorkloadsReady", "status": "True"}],
				  "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 1}}}}`
				req.RequiredResources[requirementPeers].Items = append(req.RequiredResources[requirementPeers].Items, &fnv1.Resource{Resource: resource.MustStructJSON(p)})
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.RunFunction(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
