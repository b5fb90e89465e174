package spec

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
)

func TestPoolSpecV1(t *testing.T) {
	cases := map[string]struct {
		reason string
		pool   string
		want   PoolOverrides
	}{
		"Empty": {
			reason: "A pool spec that sets nothing overrides nothing.",
			pool:   `{}`,
		},
		"V1alpha1Shape": {
			reason: "The v1alpha1 shape reads as KServe's conversion writes it in v1: the flat selector as matchLabels, targetPortNumber as the one target port, extensionRef as endpointPickerRef.",
			pool:   `{"selector": {"app": "m", "tier": "gpu"}, "targetPortNumber": 8200, "extensionRef": {"group": "", "kind": "Service", "name": "epp", "portNumber": 9010, "failureMode": "FailClose"}}`,
			want: PoolOverrides{
				MatchLabels: map[string]string{"app": "m", "tier": "gpu"},
				TargetPorts: []giev1.Port{{Number: 8200}},
				EndpointPicker: &PoolEndpointPickerRef{
					Group: ptr.To(giev1.Group("")), Kind: "Service", Name: "epp",
					Port: &giev1.Port{Number: 9010}, FailureMode: giev1.EndpointPickerFailClose,
				},
			},
		},
		"V1Shape": {
			reason: "The v1 shape is read as it is.",
			pool:   `{"selector": {"matchLabels": {"app": "m"}}, "targetPorts": [{"number": 8000}, {"number": 8001}], "appProtocol": "kubernetes.io/h2c", "endpointPickerRef": {"name": "epp", "port": {"number": 9002}}}`,
			want: PoolOverrides{
				MatchLabels:    map[string]string{"app": "m"},
				TargetPorts:    []giev1.Port{{Number: 8000}, {Number: 8001}},
				AppProtocol:    giev1.AppProtocolH2C,
				EndpointPicker: &PoolEndpointPickerRef{Name: "epp", Port: &giev1.Port{Number: 9002}},
			},
		},
		"ExtensionRefNameOnly": {
			reason: "An extensionRef sets only what it names; the rest stays the composed picker's.",
			pool:   `{"extensionRef": {"name": "epp"}}`,
			want:   PoolOverrides{EndpointPicker: &PoolEndpointPickerRef{Name: "epp"}},
		},
		"BothShapesV1Wins": {
			reason: "spec.Validate refuses a setting in both shapes; should it get here anyway, the v1 shape is the one composed.",
			pool:   `{"targetPortNumber": 8200, "targetPorts": [{"number": 8000}], "extensionRef": {"name": "old"}, "endpointPickerRef": {"name": "new", "port": {"number": 9002}}}`,
			want: PoolOverrides{
				TargetPorts:    []giev1.Port{{Number: 8000}},
				EndpointPicker: &PoolEndpointPickerRef{Name: "new", Port: &giev1.Port{Number: 9002}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var p PoolSpec
			if err := json.Unmarshal([]byte(tc.pool), &p); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, p.V1(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nV1(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPoolSelectorJSON(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   PoolSelector
		// out is what it marshals back to; err a substring of the
		// decoding error.
		out string
		err string
	}{
		"Flat": {
			reason: "v1alpha1's selector is labels right under selector.",
			in:     `{"app": "m", "tier": "gpu"}`,
			want:   PoolSelector{Labels: map[string]string{"app": "m", "tier": "gpu"}},
			out:    `{"app":"m","tier":"gpu"}`,
		},
		"MatchLabels": {
			reason: "v1alpha2's selector has its labels under matchLabels.",
			in:     `{"matchLabels": {"app": "m"}}`,
			want:   PoolSelector{MatchLabels: map[string]string{"app": "m"}},
			out:    `{"matchLabels":{"app":"m"}}`,
		},
		"BothShapes": {
			reason: "Both shapes at once are read and written back as they are, for spec.Validate to refuse.",
			in:     `{"matchLabels": {"app": "m"}, "tier": "gpu"}`,
			want:   PoolSelector{MatchLabels: map[string]string{"app": "m"}, Labels: map[string]string{"tier": "gpu"}},
			out:    `{"matchLabels":{"app":"m"},"tier":"gpu"}`,
		},
		"EmptyMatchLabels": {
			reason: "An empty matchLabels is kept, for spec.Validate to refuse as the schema does.",
			in:     `{"matchLabels": {}}`,
			want:   PoolSelector{MatchLabels: map[string]string{}},
			out:    `{"matchLabels":{}}`,
		},
		"Null": {
			reason: "A null label is no label: it removes what a lower layer of configuration set.",
			in:     `{"app": null, "tier": "gpu"}`,
			want:   PoolSelector{Labels: map[string]string{"tier": "gpu"}},
			out:    `{"tier":"gpu"}`,
		},
		"NotAnObject": {
			reason: "A selector is an object.",
			in:     `["app"]`,
			err:    "selector must be an object of labels",
		},
		"FlatNotAString": {
			reason: "A flat label has a string value.",
			in:     `{"replicas": 2}`,
			err:    `selector label "replicas" must have a string value`,
		},
		"MatchLabelsNotAnObject": {
			reason: "matchLabels is the v1 shape's labels, not a label called matchLabels.",
			in:     `{"matchLabels": "yes"}`,
			err:    "selector.matchLabels must be an object of label keys and string values",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got PoolSelector
			err := json.Unmarshal([]byte(tc.in), &got)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nUnmarshal(): want an error containing %q, got %v", tc.reason, tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nUnmarshal(): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nUnmarshal(): -want, +got:\n%s", tc.reason, diff)
			}
			// Through the pointer the spec holds it by.
			b, err := json.Marshal(&PoolSpec{Selector: &got})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"selector":` + tc.out + `}`; string(b) != want {
				t.Errorf("%s\nMarshal(): want %s, got %s", tc.reason, want, b)
			}
		})
	}
}
