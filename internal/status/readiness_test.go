package status

import (
	"testing"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// observed decodes a YAML manifest the way observed resources arrive:
// through JSON, so every number is a float64.
func observed(t *testing.T, manifest string) *composed.Unstructured {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(manifest), &m); err != nil {
		t.Fatalf("bad test manifest: %v", err)
	}
	return &composed.Unstructured{Unstructured: unstructured.Unstructured{Object: m}}
}

func TestCheck(t *testing.T) {
	cases := map[string]struct {
		reason string
		o      string
		want   Health
	}{
		"Unknown": {
			reason: "Kinds without status are ready once they exist.",
			o:      "apiVersion: v1\nkind: Service\nmetadata: {name: s}",
			want:   Health{Ready: true},
		},
		"Deployment": {
			reason: "Deployments are checked for Available.",
			o: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, generation: 2}
status:
  observedGeneration: 2
  conditions: [{type: Available, status: "True", reason: MinimumReplicasAvailable}]`,
			want: Health{Ready: true, Reason: "MinimumReplicasAvailable"},
		},
		"Gateway": {
			reason: "Gateways are dispatched to their checker.",
			o:      "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g}",
			want:   Health{Reason: ReasonPending, Message: "no Programmed condition yet"},
		},
		"HTTPRoute": {
			reason: "HTTPRoutes are dispatched to their checker.",
			o:      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}",
			want:   Health{Reason: ReasonPending, Message: "no Gateway has accepted the HTTPRoute yet"},
		},
		"InferencePool": {
			reason: "InferencePools are dispatched to their checker.",
			o:      "apiVersion: inference.networking.k8s.io/v1\nkind: InferencePool\nmetadata: {name: p}",
			want:   Health{Reason: ReasonInferencePoolNotReady, Message: "no Gateway has accepted the InferencePool yet: an HTTPRoute must send traffic to it through a Gateway whose implementation supports InferencePool"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Check(observed(t, tc.o))); diff != "" {
				t.Errorf("%s\nCheck(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCheckNil(t *testing.T) {
	if diff := cmp.Diff(notCreated, Check(nil)); diff != "" {
		t.Errorf("Check(nil): -want, +got:\n%s", diff)
	}
}

func TestObserve(t *testing.T) {
	obs := map[resource.Name]resource.ObservedComposed{
		"svc":   {Resource: observed(t, "apiVersion: v1\nkind: Service\nmetadata: {name: s}")},
		"empty": {},
	}
	cases := map[string]struct {
		name resource.Name
		want Health
	}{
		"Observed": {name: "svc", want: Health{Ready: true}},
		"Missing":  {name: "other", want: notCreated},
		"NoObject": {name: "empty", want: notCreated},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, observe(obs, tc.name)); diff != "" {
				t.Errorf("observe(%q): -want, +got:\n%s", tc.name, diff)
			}
		})
	}
}
