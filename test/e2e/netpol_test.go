//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var networkPolicyGVK = schema.GroupVersionKind{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}

// testNetworkPolicies applies two examples whose NetworkPolicies use what
// the others do not (the input's gateway pods; LeaderWorkerSets with
// prefill/decode, whose NIXL side channels are a port range) and checks
// that the API server holds each policy as the function composed it: its
// spec, after the API server's defaulting and validation, is the spec of
// the example's render golden. The render goldens are what the function
// composes for the same example, so a policy the API server refused,
// changed or defaulted differently fails here. The "every example"
// scenario then has every example's policies accepted.
func (e *env) testNetworkPolicies(t *testing.T) {
	for _, tc := range []struct {
		example  string
		policies []string
	}{
		{"network-policy", []string{"workload-networkpolicy", "scheduler-networkpolicy"}},
		{"multi-node-pd", []string{"workload-networkpolicy", "prefill-networkpolicy", "scheduler-networkpolicy"}},
	} {
		t.Run(tc.example, func(t *testing.T) {
			xr := e.exampleXR(t, tc.example)
			e.ensureNamespace(t, xr.GetNamespace())
			want := map[string]schema.GroupVersionKind{}
			for _, p := range tc.policies {
				want[p] = networkPolicyGVK
			}
			objs := e.applyAndWaitListed(t, xr, want)
			for _, p := range tc.policies {
				golden := readObject(t, filepath.Join(e.root, "test", "render", "testdata", "golden", tc.example, p+".yaml"))
				wantSpec, _, _ := unstructured.NestedMap(golden.Object, "spec")
				o := objs[p]
				e.eventually(t, time.Minute, fmt.Sprintf("NetworkPolicy %s as composed", key(o.GetNamespace(), o.GetName())), func(ctx context.Context) (bool, string, error) {
					got, err := e.get(ctx, networkPolicyGVK, o.GetNamespace(), o.GetName())
					if err != nil || got == nil {
						return false, describe(got), err
					}
					gotSpec, _, _ := unstructured.NestedMap(got.Object, "spec")
					diff := cmp.Diff(asJSON(t, wantSpec), asJSON(t, gotSpec))
					return diff == "", "-golden, +API server:\n" + diff, nil
				})
			}
		})
	}
}
