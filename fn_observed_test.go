package main

import (
	"context"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

// TestObservedFields proves the status reads nothing of an observed
// composed resource beyond the fields status.ObservedFields names for its
// kind: for every example, once everything it composes is observed, the
// answer is the same whether the observed objects are decoded in part or
// in full. An example whose conditions or status read another field fails
// here.
func TestObservedFields(t *testing.T) {
	part := &Function{log: logging.NewNopLogger()}
	full := &Function{log: logging.NewNopLogger(), decodeAllObserved: true}
	n := 0
	for _, ex := range loadExamples(t) {
		if ex.observed == nil {
			continue
		}
		n++
		req := ex.request(t, true)
		want, err := full.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
		if err != nil {
			t.Fatal(err)
		}
		got, err := part.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Errorf("%s: -observed in full, +observed in part:\n%s", ex.name, diff)
		}
	}
	if n == 0 {
		t.Fatal("no example has observed resources to compare with")
	}
}

// TestObservedComposed checks what is decoded of one observed object: the
// fields its kind's status reads, and never its managedFields.
func TestObservedComposed(t *testing.T) {
	routeSpec := map[string]any{
		"parentRefs": []any{map[string]any{"name": "gw"}},
		"hostnames":  []any{"a.example.com"},
		"rules": []any{
			map[string]any{"name": "a", "matches": []any{}, "filters": []any{}, "timeouts": map[string]any{}},
			map[string]any{"backendRefs": []any{}},
		},
		"replicas": 1,
	}
	obj := func(apiVersion, kind string) *fnv1.Resource {
		spec := map[string]any{"replicas": 1}
		if kind == "HTTPRoute" {
			spec = routeSpec
		}
		s, err := structpb.NewStruct(map[string]any{
			"apiVersion": apiVersion, "kind": kind,
			"metadata": map[string]any{"name": "o", "generation": 2, "managedFields": []any{map[string]any{"manager": "crossplane"}}},
			"spec":     spec,
			"status":   map[string]any{"observedGeneration": 2},
		})
		if err != nil {
			t.Fatal(err)
		}
		return &fnv1.Resource{Resource: s}
	}
	cases := map[string]struct {
		reason   string
		resource *fnv1.Resource
		all      bool
		want     map[string]any
	}{
		"DeploymentWithoutSpec": {
			reason:   "Of a Deployment the status reads its metadata and status only.",
			resource: obj("apps/v1", "Deployment"),
			want: map[string]any{
				"apiVersion": "apps/v1", "kind": "Deployment",
				"metadata": map[string]any{"name": "o", "generation": float64(2)},
				"status":   map[string]any{"observedGeneration": float64(2)},
			},
		},
		"RouteWithSpec": {
			reason:   "Of an HTTPRoute it reads the spec too: its parents, its hostnames and its rules' matches and backends, nothing else.",
			resource: obj("gateway.networking.k8s.io/v1", "HTTPRoute"),
			want: map[string]any{
				"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
				"metadata": map[string]any{"name": "o", "generation": float64(2)},
				"spec": map[string]any{
					"parentRefs": []any{map[string]any{"name": "gw"}},
					"hostnames":  []any{"a.example.com"},
					"rules":      []any{map[string]any{"matches": []any{}}, map[string]any{"backendRefs": []any{}}},
				},
				"status": map[string]any{"observedGeneration": float64(2)},
			},
		},
		"All": {
			reason:   "Decoded in full, only managedFields are left out.",
			resource: obj("apps/v1", "Deployment"),
			all:      true,
			want: map[string]any{
				"apiVersion": "apps/v1", "kind": "Deployment",
				"metadata": map[string]any{"name": "o", "generation": float64(2)},
				"spec":     map[string]any{"replicas": float64(1)},
				"status":   map[string]any{"observedGeneration": float64(2)},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := &fnv1.RunFunctionRequest{Observed: &fnv1.State{Resources: map[string]*fnv1.Resource{"o": tc.resource}}}
			got := observedComposed(req, tc.all)["o"].Resource.Object
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nobservedComposed(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
