package status

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// peerXR is an XR named name in namespace ns with the given spec router
// and model, metadata and status, as JSON fragments.
func peerXR(t *testing.T, name, meta, specJSON, statusJSON string) *unstructured.Unstructured {
	t.Helper()
	doc := `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService",
	  "metadata": {"name": "` + name + `", "namespace": "ns"` + meta + `}, "spec": ` + specJSON
	if statusJSON != "" {
		doc += `, "status": ` + statusJSON
	}
	u := &unstructured.Unstructured{}
	if err := json.Unmarshal([]byte(doc+"}"), &u.Object); err != nil {
		t.Fatalf("bad test XR: %v", err)
	}
	return u
}

const (
	groupSpec   = `{"model": {"uri": "hf://o/m", "name": "m"}, "router": {"route": {"group": "g", "weight": 90}, "scheduler": {}}}`
	serving     = `{"conditions": [{"type": "WorkloadsReady", "status": "True"}], "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 2}}}`
	notServing  = `{"conditions": [{"type": "WorkloadsReady", "status": "True"}], "workloads": {"primary": {"kind": "Deployment", "name": "x"}}}`
	notReady    = `{"conditions": [{"type": "WorkloadsReady", "status": "False"}], "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 2}}}`
	pickerDown  = `{"conditions": [{"type": "WorkloadsReady", "status": "True"}], "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 2}, "scheduler": {"kind": "Deployment", "name": "y", "readyReplicas": 0}}}`
	otherModels = `{"conditions": [{"type": "WorkloadsReady", "status": "True"}], "workloads": {"primary": {"kind": "Deployment", "name": "x", "readyReplicas": 1}}, "addresses": [{"name": "workload", "models": [{"name": "n"}]}]}`
	// bothForms lists each name plain and qualified, as the status does
	// with model-based routing, and once qualified only, as a
	// -model-routing address does; a name qualified by another namespace
	// is another name.
	bothForms = `{"addresses": [{"name": "gateway-external-model-routing", "models": [{"name": "publishers/ns/models/n"}, {"name": "publishers/ns/models/sql"}]},
	  {"name": "workload", "models": [{"name": "n"}, {"name": "publishers/ns/models/n"}, {"name": "sql"}, {"name": "publishers/ns/models/sql"}, {"name": "publishers/other/models/x"}]}]}`
)

func TestPeerOf(t *testing.T) {
	type want struct {
		Name                        string
		Deleting, Stopped, Routable bool
		Models                      []string
	}
	cases := map[string]struct {
		reason string
		xr     *unstructured.Unstructured
		want   want
	}{
		"Serving": {
			reason: "WorkloadsReady with ready replicas: routable; models from the spec while the status lists none.",
			xr:     peerXR(t, "a", "", groupSpec, serving),
			want:   want{Name: "a", Routable: true, Models: []string{"m"}},
		},
		"NoReadyReplicas": {
			reason: "WorkloadsReady but no replicas counted: not routable.",
			xr:     peerXR(t, "a", "", groupSpec, notServing),
			want:   want{Name: "a", Models: []string{"m"}},
		},
		"NotReady": {
			reason: "Replicas but WorkloadsReady False: not routable.",
			xr:     peerXR(t, "a", "", groupSpec, notReady),
			want:   want{Name: "a", Models: []string{"m"}},
		},
		"PickerDown": {
			reason: "Every workload the status lists must serve.",
			xr:     peerXR(t, "a", "", groupSpec, pickerDown),
			want:   want{Name: "a", Models: []string{"m"}},
		},
		"NoStatus": {
			reason: "A peer its function has not reported on yet is not routable.",
			xr:     peerXR(t, "a", "", groupSpec, ""),
			want:   want{Name: "a", Models: []string{"m"}},
		},
		"StatusModels": {
			reason: "The status's models win over the spec's.",
			xr:     peerXR(t, "a", "", groupSpec, otherModels),
			want:   want{Name: "a", Routable: true, Models: []string{"n"}},
		},
		"QualifiedStatusModels": {
			reason: "A name the status lists qualified by the peer's namespace is the name: each once, sorted.",
			xr:     peerXR(t, "a", "", groupSpec, bothForms),
			want:   want{Name: "a", Models: []string{"n", "publishers/other/models/x", "sql"}},
		},
		"Stopped": {
			reason: "The stop annotation, in any case.",
			xr:     peerXR(t, "a", `, "annotations": {"serving.kserve.io/stop": "TRUE"}`, groupSpec, ""),
			want:   want{Name: "a", Stopped: true, Models: []string{"m"}},
		},
		"Deleting": {
			reason: "A deletion timestamp.",
			xr:     peerXR(t, "a", `, "deletionTimestamp": "2026-12-01T00:00:00Z"`, groupSpec, serving),
			want:   want{Name: "a", Deleting: true, Routable: true, Models: []string{"m"}},
		},
		"LegacyClaim": {
			reason: "A legacy XR is named by its claim.",
			xr: func() *unstructured.Unstructured {
				u := peerXR(t, "a-x7k2p", `, "labels": {"crossplane.io/claim-name": "a", "crossplane.io/claim-namespace": "team"}`, groupSpec, serving)
				u.SetNamespace("")
				return u
			}(),
			want: want{Name: "a", Routable: true, Models: []string{"m"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := PeerOf(tc.xr, "")
			if err != nil {
				t.Fatal(err)
			}
			got := want{Name: p.Service.Name, Deleting: p.Deleting, Stopped: p.Stopped, Routable: p.Routable, Models: p.Models}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nPeerOf: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRouteGroup(t *testing.T) {
	pool := func(name string) gatewayv1.BackendObjectReference {
		return gatewayv1.BackendObjectReference{Group: ptr.To(gatewayv1.Group("inference.networking.k8s.io")), Kind: ptr.To(gatewayv1.Kind("InferencePool")),
			Name: gatewayv1.ObjectName(name + "-inference-pool"), Port: ptr.To(gatewayv1.PortNumber(8000))}
	}
	self := spec.RouteGroupMember{Name: "self", Weight: 10, BackendRef: pool("self")}
	peer := func(t *testing.T, name, meta, specJSON, statusJSON string) Peer {
		p, err := PeerOf(peerXR(t, name, meta, specJSON, statusJSON), "")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const stop = `, "annotations": {"serving.kserve.io/stop": "true"}`
	cases := map[string]struct {
		reason        string
		selfSpec      string
		peers         func(t *testing.T) []Peer
		want          *Group
		wantBackends  int
		wantDegraded  bool
		wantCondCount int
	}{
		"NotGrouped": {
			reason:   "No group, no Group.",
			selfSpec: `{"model": {"uri": "hf://o/m", "name": "m"}, "router": {"route": {}, "scheduler": {}}}`,
			peers:    func(t *testing.T) []Peer { return []Peer{peer(t, "a", "", groupSpec, serving)} },
		},
		"Alone": {
			reason: "The service is a member before it is ready.",
			peers:  func(*testing.T) []Peer { return nil },
			want:   &Group{Name: "g", Members: []spec.RouteGroupMember{self}}, wantBackends: 1,
		},
		"Members": {
			reason: "Serving and stopped peers of the group are members, sorted; the stopped one gets no backend; not-ready, deleting, other-group peers and self's own XR are left out.",
			peers: func(t *testing.T) []Peer {
				return []Peer{
					peer(t, "self", "", groupSpec, serving),
					peer(t, "b", "", groupSpec, serving),
					peer(t, "a", stop, groupSpec, ""),
					peer(t, "c", "", groupSpec, notReady),
					peer(t, "d", `, "deletionTimestamp": "2026-12-01T00:00:00Z"`, groupSpec, serving),
					peer(t, "e", "", strings.Replace(groupSpec, `"g"`, `"h"`, 1), serving),
				}
			},
			want: &Group{Name: "g", Members: []spec.RouteGroupMember{
				{Name: "a", Weight: 90, Stopped: true, BackendRef: pool("a")},
				{Name: "b", Weight: 90, BackendRef: pool("b")},
				self,
			}},
			wantBackends: 2,
		},
		"Divergent": {
			reason: "A member serving other models gets no traffic and degrades the group.",
			peers:  func(t *testing.T) []Peer { return []Peer{peer(t, "b", "", groupSpec, otherModels)} },
			want:   &Group{Name: "g", Members: []spec.RouteGroupMember{self}, Divergent: []string{"b [n]"}}, wantBackends: 1, wantDegraded: true,
		},
		"BeyondBackends": {
			reason: "Of 21 serving members, the service and the first 15 others by name get the traffic, as a route rule allows 16 backends; the other 5 are listed, get none, and degrade the group.",
			peers: func(t *testing.T) []Peer {
				var out []Peer
				for i := range 20 {
					out = append(out, peer(t, fmt.Sprintf("m%02d", i), "", groupSpec, serving))
				}
				return out
			},
			want: func() *Group {
				g := &Group{Name: "g"}
				for i := range 20 {
					n := fmt.Sprintf("m%02d", i)
					g.Members = append(g.Members, spec.RouteGroupMember{Name: n, Weight: 90, BackendRef: pool(n)})
				}
				g.Members = append(g.Members, self)
				g.Beyond = []string{"m15", "m16", "m17", "m18", "m19"}
				return g
			}(),
			wantBackends: 16, wantDegraded: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := tc.selfSpec
			if s == "" {
				s = strings.Replace(groupSpec, `"weight": 90`, `"weight": 10`, 1)
			}
			var raw map[string]any
			if err := json.Unmarshal([]byte(s), &raw); err != nil {
				t.Fatal(err)
			}
			svc, err := spec.Decode(spec.Object{Name: "self", Namespace: "ns"}, raw, "")
			if err != nil {
				t.Fatal(err)
			}
			g := RouteGroup(svc, tc.peers(t))
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Fatalf("%s\nRouteGroup: -want, +got:\n%s", tc.reason, diff)
			}
			if g == nil {
				return
			}
			if got := len(g.Backends()); got != tc.wantBackends {
				t.Errorf("%s\nBackends: want %d, got %d", tc.reason, tc.wantBackends, got)
			}
			conds, warns := groupConditions(svc, g, nil)
			degraded := len(conds) == 2 && conds[1].Type == TypeGroupDegraded && conds[1].Status == "True"
			if degraded != tc.wantDegraded || degraded != (len(warns) == 1) {
				t.Errorf("%s\ngroupConditions: want degraded %t with a warning, got %v %v", tc.reason, tc.wantDegraded, conds, warns)
			}
		})
	}
}

func TestCollisions(t *testing.T) {
	const (
		mine   = `{"model": {"uri": "hf://o/m", "name": "m", "lora": {"adapters": [{"name": "sql", "uri": "hf://o/sql"}]}}, "router": {"route": {}}}`
		noMgd  = `{"model": {"uri": "hf://o/m", "name": "m"}}`
		same   = `{"model": {"uri": "hf://o/m", "name": "m"}}`
		lora   = `{"model": {"uri": "hf://o/x", "name": "x", "lora": {"adapters": [{"name": "sql", "uri": "hf://o/sql"}]}}}`
		other  = `{"model": {"uri": "hf://o/x", "name": "x"}}`
		inGrp  = `{"model": {"uri": "hf://o/m", "name": "m", "lora": {"adapters": [{"name": "sql", "uri": "hf://o/sql"}]}}, "router": {"route": {"group": "g", "weight": 1}}}`
		grpPee = `{"model": {"uri": "hf://o/m", "name": "m"}, "router": {"route": {"group": "g", "weight": 1}}}`
	)
	cases := map[string]struct {
		reason   string
		selfSpec string
		peers    []string // name=spec
		previous []string
		want     []string
		wantCond string // the condition's status, "" for none
	}{
		"None": {
			reason: "No shared names: no condition.", selfSpec: mine, peers: []string{"b=" + other},
		},
		"Collision": {
			reason: "Peers serving the model or an adapter collide, each named once with the names.", selfSpec: mine,
			peers: []string{"c=" + lora, "b=" + same, "mine=" + mine}, want: []string{"b (m)", "c (sql)"}, wantCond: "True",
		},
		"SameGroup": {
			reason: "Members of the service's own group share its models by design.", selfSpec: inGrp, peers: []string{"b=" + grpPee},
		},
		"NoManagedRoute": {
			reason: "Without a managed route nothing routes by model name.", selfSpec: noMgd, peers: []string{"b=" + same},
		},
		"Resolved": {
			reason: "A collision the XR still reports is reported gone.", selfSpec: mine, peers: []string{"b=" + other},
			previous: []string{TypeModelNameCollision}, wantCond: "False",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var raw map[string]any
			if err := json.Unmarshal([]byte(tc.selfSpec), &raw); err != nil {
				t.Fatal(err)
			}
			svc, err := spec.Decode(spec.Object{Name: "mine", Namespace: "ns"}, raw, "")
			if err != nil {
				t.Fatal(err)
			}
			var peers []Peer
			for _, p := range tc.peers {
				n, s, _ := strings.Cut(p, "=")
				pr, err := PeerOf(peerXR(t, n, "", s, ""), "")
				if err != nil {
					t.Fatal(err)
				}
				peers = append(peers, pr)
			}
			if diff := cmp.Diff(tc.want, collisions(svc, peers)); diff != "" {
				t.Errorf("%s\ncollisions: -want, +got:\n%s", tc.reason, diff)
			}
			conds, warns := collisionConditions(svc, peers, tc.previous)
			got := ""
			if len(conds) == 1 {
				got = string(conds[0].Status)
			}
			if got != tc.wantCond || (got == "True") != (len(warns) == 1) {
				t.Errorf("%s\ncollisionConditions: want %q with a warning when True, got %v %v", tc.reason, tc.wantCond, conds, warns)
			}
		})
	}
}
