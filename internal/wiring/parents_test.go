package wiring

import (
	"testing"

	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

func TestSameParents(t *testing.T) {
	gw := func(name string) gatewayv1.ParentReference {
		return gatewayv1.ParentReference{Name: gatewayv1.ObjectName(name)}
	}
	full := func(group, kind, ns, name, section string) gatewayv1.ParentReference {
		p := gatewayv1.ParentReference{Name: gatewayv1.ObjectName(name)}
		if group != "" {
			p.Group = ptr.To(gatewayv1.Group(group))
		}
		if kind != "" {
			p.Kind = ptr.To(gatewayv1.Kind(kind))
		}
		if ns != "" {
			p.Namespace = ptr.To(gatewayv1.Namespace(ns))
		}
		if section != "" {
			p.SectionName = ptr.To(gatewayv1.SectionName(section))
		}
		return p
	}
	cases := map[string]struct {
		reason string
		a, b   []gatewayv1.ParentReference
		want   bool
	}{
		"Defaults": {
			reason: "Group, kind and namespace default to the Gateway API's Gateway in the route's namespace.",
			a:      []gatewayv1.ParentReference{gw("g")},
			b:      []gatewayv1.ParentReference{full(gatewayv1.GroupName, "Gateway", "ns", "g", "")},
			want:   true,
		},
		"EmptyKind": {
			reason: "The Inference Extension spells no kind as an empty string.",
			a:      []gatewayv1.ParentReference{full("", "", "", "g", "")},
			b:      []gatewayv1.ParentReference{GatewayParent("g", "", "")},
			want:   true,
		},
		"AnyOrder": {
			reason: "Parents are a set.",
			a:      []gatewayv1.ParentReference{gw("a"), gw("b")},
			b:      []gatewayv1.ParentReference{gw("b"), gw("a")},
			want:   true,
		},
		"OtherNamespace": {
			reason: "The same name in another namespace is another Gateway.",
			a:      []gatewayv1.ParentReference{gw("g")},
			b:      []gatewayv1.ParentReference{GatewayParent("g", "infra", "")},
		},
		"OtherListener": {
			reason: "A listener makes a different parent.",
			a:      []gatewayv1.ParentReference{gw("g")},
			b:      []gatewayv1.ParentReference{GatewayParent("g", "", "https")},
		},
		"Fewer": {
			reason: "Every parent must be named on both sides.",
			a:      []gatewayv1.ParentReference{gw("a"), gw("b")},
			b:      []gatewayv1.ParentReference{gw("a")},
		},
		"Repeated": {
			reason: "A parent named twice on one side only is not the same list.",
			a:      []gatewayv1.ParentReference{gw("a"), gw("a")},
			b:      []gatewayv1.ParentReference{gw("a"), gw("b")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := SameParents(tc.a, tc.b, "ns"); got != tc.want {
				t.Errorf("%s\nSameParents: got %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

func TestParentKeyString(t *testing.T) {
	p := GatewayParent("g", "infra", "https")
	p.Port = ptr.To(gatewayv1.PortNumber(443))
	k := KeyOf(p, "ns")
	if got, want := k.String(), "Gateway infra/g listener https port 443"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	if !k.IsGateway() {
		t.Error("IsGateway: a Gateway parent is a Gateway")
	}
	if KeyOf(gatewayv1.ParentReference{Group: ptr.To(gatewayv1.Group("")), Kind: ptr.To(gatewayv1.Kind("Service")), Name: "s"}, "ns").IsGateway() {
		t.Error("IsGateway: a mesh Service is not a Gateway")
	}
}
