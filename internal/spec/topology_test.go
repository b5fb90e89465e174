package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestShape covers the questions every later step asks of a spec: which
// topology each workload has and which parts of the router the function
// composes.
func TestShape(t *testing.T) {
	type shape struct {
		Main, Prefill                                             Topology
		HasRoute, HasScheduler                                    bool
		ManagedScheduler, ManagedGateway, RouteRefs, ManagedRoute bool
	}
	cases := map[string]struct {
		spec string
		want shape
	}{
		"SingleNodeNoRouter": {
			spec: `{"model": {"uri": "hf://o/m"}}`,
		},
		"FullRouter": {
			spec: `{"model": {"uri": "hf://o/m"}, "router": {"gateway": {}, "route": {}, "scheduler": {}}}`,
			want: shape{HasRoute: true, HasScheduler: true, ManagedScheduler: true, ManagedGateway: true, ManagedRoute: true},
		},
		"Referenced": {
			spec: `{"model": {"uri": "hf://o/m"}, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {"http": {"refs": [{"name": "r"}]}}, "scheduler": {"pool": {"ref": {"name": "p"}}}}}`,
			want: shape{HasRoute: true, HasScheduler: true, RouteRefs: true},
		},
		"PoolSpecIsManaged": {
			spec: `{"model": {"uri": "hf://o/m"}, "router": {"scheduler": {"pool": {"spec": {"targetPortNumber": 8000}}}}}`,
			want: shape{HasScheduler: true, ManagedScheduler: true},
		},
		"DataParallelGroups": {
			spec: `{"model": {"uri": "hf://o/m"}, "parallelism": {"data": 16, "dataLocal": 8}, "worker": {}, "prefill": {"parallelism": {"pipeline": 2}, "worker": {}}}`,
			want: shape{Main: DataParallelGroup, Prefill: PipelineGroup},
		},
		"WorkerWithoutParallelism": {
			// Refused by Validate; the topology still has an answer.
			spec: `{"model": {"uri": "hf://o/m"}, "worker": {}}`,
			want: shape{Main: DataParallelGroup},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := &decodeSpec(t, tc.spec).Spec
			got := shape{Main: s.Topology(), HasRoute: s.Router.HasRoute(), HasScheduler: s.Router.HasScheduler(), ManagedScheduler: s.ManagedScheduler(), ManagedGateway: s.ManagedGateway(), RouteRefs: s.RouteRefs(), ManagedRoute: s.ManagedRoute()}
			if s.Prefill != nil {
				got.Prefill = s.Prefill.Topology()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("-want, +got:\n%s", diff)
			}
		})
	}
}
