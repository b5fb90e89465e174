package wiring

import (
	"fmt"

	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// ParentKey is a Gateway API parent reference with the API's defaults
// filled in, so that two spellings of the same parent compare equal: a
// spec.parentRefs entry and the status.parents entry reporting on it, or a
// route's parentRefs and spec.router.gateway.refs.
type ParentKey struct {
	Group, Kind, Namespace, Name, Section string
	Port                                  int32
}

// KeyOf is the key of r for an object in namespace ns. An empty group is
// the Gateway API's, an empty kind is Gateway and an empty namespace is
// ns: the Inference Extension's parentRef fields are not pointers, so its
// reports spell "none" as "".
func KeyOf(r gatewayv1.ParentReference, ns string) ParentKey {
	group := string(ptr.Deref(r.Group, gatewayv1.GroupName))
	kind := string(ptr.Deref(r.Kind, ""))
	if kind == "" {
		kind = GatewayKind
	}
	if n := string(ptr.Deref(r.Namespace, "")); n != "" {
		ns = n
	}
	return ParentKey{
		Group:     group,
		Kind:      kind,
		Namespace: ns,
		Name:      string(r.Name),
		Section:   string(ptr.Deref(r.SectionName, "")),
		Port:      ptr.Deref(r.Port, 0),
	}
}

// IsGateway is true for a parent that is a Gateway API Gateway, rather
// than, say, a Service of a mesh.
func (k ParentKey) IsGateway() bool {
	return k.Group == gatewayv1.GroupName && k.Kind == GatewayKind
}

// String names the parent for messages: Gateway ns/name, and the listener
// and port when the reference names them.
func (k ParentKey) String() string {
	s := k.Kind + " " + k.Namespace + "/" + k.Name
	if k.Section != "" {
		s += " listener " + k.Section
	}
	if k.Port != 0 {
		s += fmt.Sprintf(" port %d", k.Port)
	}
	return s
}

// SameParents is true when a and b name the same parents, in any order,
// for a route in namespace ns.
func SameParents(a, b []gatewayv1.ParentReference, ns string) bool {
	if len(a) != len(b) {
		return false
	}
	count := make(map[ParentKey]int, len(a))
	for _, p := range a {
		count[KeyOf(p, ns)]++
	}
	for _, p := range b {
		k := KeyOf(p, ns)
		if count[k] == 0 {
			return false
		}
		count[k]--
	}
	return true
}

// GatewayParent is a parent reference to the Gateway name in the route's
// own namespace, or in namespace when it is set, at listener section when
// set.
func GatewayParent(name, namespace, section string) gatewayv1.ParentReference {
	p := gatewayv1.ParentReference{
		Group: ptr.To(gatewayv1.Group(gatewayv1.GroupName)),
		Kind:  ptr.To(gatewayv1.Kind(GatewayKind)),
		Name:  gatewayv1.ObjectName(name),
	}
	if namespace != "" {
		p.Namespace = ptr.To(gatewayv1.Namespace(namespace))
	}
	if section != "" {
		p.SectionName = ptr.To(gatewayv1.SectionName(section))
	}
	return p
}
