package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestDecode(t *testing.T) {
	type want struct {
		name, namespace string
		unknown         []string
		raw             map[string]any
		err             string
	}
	model := map[string]any{"uri": "hf://o/m"}
	cases := map[string]struct {
		reason           string
		meta             Object
		spec             map[string]any
		defaultNamespace string
		want             want
	}{
		"NamespacedXR": {
			reason: "A v2 XR composes into its own namespace under its own name.",
			meta:   Object{Name: "llama", Namespace: "team"},
			spec:   map[string]any{"model": model},
			want:   want{name: "llama", namespace: "team", raw: map[string]any{"model": model}},
		},
		"LegacyXRForClaim": {
			reason: "A legacy XR made for a claim composes into the claim's namespace, named after the claim.",
			meta: Object{Name: "llama-x7k2p", Labels: map[string]string{
				LabelClaimName: "llama", LabelClaimNamespace: "team",
			}},
			spec: map[string]any{"model": model},
			want: want{name: "llama", namespace: "team", raw: map[string]any{"model": model}},
		},
		"ClusterScopedWithInputNamespace": {
			reason: "A cluster-scoped XR not made for a claim goes to the Function input's namespace.",
			meta:   Object{Name: "llama"},
			spec:   map[string]any{"model": model},
			want:   want{name: "llama", namespace: "models", raw: map[string]any{"model": model}},

			defaultNamespace: "models",
		},
		"ClusterScopedNoNamespace": {
			reason: "Without any namespace there is nowhere to compose.",
			meta:   Object{Name: "llama"},
			spec:   map[string]any{"model": model},
			want:   want{err: "cannot determine the namespace to compose into"},
		},
		"NoSpec": {
			reason: "An XR without a spec is refused.",
			meta:   Object{Name: "llama", Namespace: "team"},
			want:   want{err: "the composite resource has no spec"},
		},
		"CrossplaneFields": {
			reason: "The fields Crossplane adds to XRs are not part of the API and are not reported as unknown.",
			meta:   Object{Name: "llama", Namespace: "team"},
			spec: map[string]any{"model": model, "crossplane": map[string]any{"compositionRef": map[string]any{"name": "c"}},
				"claimRef": map[string]any{"name": "llama"}, "compositionUpdatePolicy": "Manual"},
			want: want{name: "llama", namespace: "team", raw: map[string]any{"model": model}},
		},
		"UnknownFields": {
			reason: "Fields outside the API are listed, sorted, with their paths.",
			meta:   Object{Name: "llama", Namespace: "team"},
			spec: map[string]any{"model": map[string]any{"uri": "hf://o/m", "revision": "main"}, "replicaz": 2,
				"template": map[string]any{"containers": []any{map[string]any{"name": "main", "imagePullPolicyy": "Always"}}}},
			want: want{name: "llama", namespace: "team",
				unknown: []string{"spec.model.revision", "spec.replicaz", "spec.template.containers[0].imagePullPolicyy"},
				raw: map[string]any{"model": map[string]any{"uri": "hf://o/m", "revision": "main"}, "replicaz": 2,
					"template": map[string]any{"containers": []any{map[string]any{"name": "main", "imagePullPolicyy": "Always"}}}}},
		},
		"WrongType": {
			reason: "A value of the wrong type cannot be decoded.",
			meta:   Object{Name: "llama", Namespace: "team"},
			spec:   map[string]any{"model": model, "replicas": "three"},
			want:   want{err: "cannot decode spec"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc, err := Decode(tc.meta, tc.spec, tc.defaultNamespace)
			var got want
			if err != nil {
				got.err = err.Error()
			} else {
				got = want{name: svc.Name, namespace: svc.Namespace, unknown: svc.Unknown, raw: svc.Raw}
			}
			if tc.want.err != "" {
				if !strings.HasPrefix(got.err, tc.want.err) {
					t.Errorf("%s\nDecode(): want an error starting %q, got %q", tc.reason, tc.want.err, got.err)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nDecode(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
