package status

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Conditions of route groups and model names, KServe's; none of them is
// part of the Ready rollup.
const (
	TypeGroupReady         = "GroupReady"
	TypeGroupDegraded      = "GroupDegraded"
	TypeModelNameCollision = "ModelNameCollision"

	ReasonMemberDivergence = "MemberDivergence"
	ReasonMembersMatch     = "MembersMatch"
	ReasonTooManyMembers   = "TooManyMembers"
	ReasonNotGrouped       = "NotGrouped"
	ReasonCollision        = "ModelNameCollision"
	ReasonNoCollision      = "NoCollision"
)

// A Group is a service's route group as its HTTPRoute splits it.
type Group struct {
	Name string
	// Members serving the service's models, the service included, sorted
	// by name: the status's members.
	Members []spec.RouteGroupMember
	// Divergent are the members serving other models, sorted by name,
	// each with its models.
	Divergent []string
	// Beyond are the serving members past the backends a route rule can
	// send to (compose.MaxRuleBackends), sorted by name: listed, but not
	// sent traffic by this service's route.
	Beyond []string
}

// Backends are the members' shares of the traffic, stopped members left
// out, as KServe omits them rather than weighing them 0.
func (g *Group) Backends() []compose.WeightedBackend {
	out := make([]compose.WeightedBackend, 0, len(g.Members))
	for _, m := range g.Members {
		if !m.Stopped && !slices.Contains(g.Beyond, m.Name) {
			out = append(out, compose.WeightedBackend{Backend: m.BackendRef, Weight: m.Weight})
		}
	}
	return out
}

// RouteGroup is the route group of svc among its peers, nil when svc is
// in none or composes no route. A peer is a member when it names the same
// group, is not being deleted, and serves (Routable) or is stopped; svc
// itself always is, so a new member's own route reaches it before it is
// ready. Members whose models differ from svc's are divergent, and get no
// traffic from svc's route; a stopped member matches when it still lists
// svc's served model name, as KServe compares them.
func RouteGroup(svc *spec.Service, peers []Peer) *Group {
	name := svc.Spec.RouteGroup()
	if name == "" || !svc.Spec.ManagedRoute() {
		return nil
	}
	own := serviceModels(svc)
	g := &Group{Name: name}
	g.Members = append(g.Members, member(svc, false))
	for _, p := range peers {
		if p.Service.Name == svc.Name || p.Service.Spec.RouteGroup() != name || p.Deleting || (!p.Routable && !p.Stopped) {
			continue
		}
		matches := slices.Equal(p.Models, own) || (p.Stopped && slices.Contains(p.Models, svc.ServedModelName()))
		if !matches {
			g.Divergent = append(g.Divergent, fmt.Sprintf("%s [%s]", p.Service.Name, strings.Join(p.Models, ", ")))
			continue
		}
		g.Members = append(g.Members, member(p.Service, p.Stopped))
	}
	slices.SortFunc(g.Members, func(a, b spec.RouteGroupMember) int { return strings.Compare(a.Name, b.Name) })
	slices.Sort(g.Divergent)
	// Gateway API refuses a rule with more backends than it allows: the
	// service itself and the first others by name get the traffic, so
	// that every member's route is accepted and names the same members
	// when they all see one another.
	serving := 1
	for _, m := range g.Members {
		if m.Name == svc.Name || m.Stopped {
			continue
		}
		if serving++; serving > compose.MaxRuleBackends {
			g.Beyond = append(g.Beyond, m.Name)
		}
	}
	return g
}

func member(svc *spec.Service, stopped bool) spec.RouteGroupMember {
	return spec.RouteGroupMember{Name: svc.Name, Weight: svc.Spec.RouteWeight(), Stopped: stopped, BackendRef: compose.Backend(svc)}
}

// groupConditions are GroupReady and GroupDegraded for g, with a warning
// when members diverge. Without a group, a condition the XR still carries
// from when it had one is reported False: Crossplane keeps a condition the
// function no longer reports.
func groupConditions(svc *spec.Service, g *Group, previous []string) ([]Condition, []string) {
	if g == nil {
		var out []Condition
		for _, typ := range []string{TypeGroupReady, TypeGroupDegraded} {
			if slices.Contains(previous, typ) {
				out = append(out, Condition{Type: typ, Status: metav1.ConditionFalse, Reason: ReasonNotGrouped, Message: "the service is in no route group"})
			}
		}
		return out, nil
	}
	out := []Condition{{Type: TypeGroupReady, Status: metav1.ConditionTrue, Reason: ReasonReady}}
	if len(g.Divergent) == 0 && len(g.Beyond) == 0 {
		return append(out, Condition{Type: TypeGroupDegraded, Status: metav1.ConditionFalse, Reason: ReasonMembersMatch,
			Message: "every member of group " + g.Name + " serves the same models"}), nil
	}
	var msgs []string
	reason := ReasonTooManyMembers
	if len(g.Divergent) > 0 {
		reason = ReasonMemberDivergence
		msgs = append(msgs, fmt.Sprintf("group has members with different model sets: %s serves [%s]; %s; they get no traffic from this service's route",
			svc.Name, strings.Join(serviceModels(svc), ", "), strings.Join(g.Divergent, "; ")))
	}
	if len(g.Beyond) > 0 {
		msgs = append(msgs, fmt.Sprintf("group has more serving members than the %d backends an HTTPRoute rule allows: %s get no traffic from this service's route; split the group",
			compose.MaxRuleBackends, strings.Join(g.Beyond, ", ")))
	}
	msg := strings.Join(msgs, "; and ")
	out = append(out, Condition{Type: TypeGroupDegraded, Status: metav1.ConditionTrue, Reason: reason, Message: msg})
	return out, []string{"route group " + g.Name + ": " + msg}
}

// collisions are the model names svc serves that another service of the
// namespace serves too, as "<service> (<names>)", sorted: KServe's check,
// made when svc has a managed route. Members of svc's own route group and
// peers being deleted are not collisions.
func collisions(svc *spec.Service, peers []Peer) []string {
	if !svc.Spec.ManagedRoute() {
		return nil
	}
	own := serviceModels(svc)
	group := svc.Spec.RouteGroup()
	var out []string
	for _, p := range peers {
		if p.Service.Name == svc.Name || p.Deleting || (group != "" && p.Service.Spec.RouteGroup() == group) {
			continue
		}
		var both []string
		for _, m := range own {
			if slices.Contains(p.Models, m) {
				both = append(both, m)
			}
		}
		if len(both) > 0 {
			out = append(out, fmt.Sprintf("%s (%s)", p.Service.Name, strings.Join(both, ", ")))
		}
	}
	slices.Sort(out)
	return out
}

// collisionConditions is ModelNameCollision, True with a warning when svc
// shares a model name, False when it no longer does and the XR carries
// the condition; nothing otherwise, so a service that never collided
// carries no such condition.
func collisionConditions(svc *spec.Service, peers []Peer, previous []string) ([]Condition, []string) {
	c := collisions(svc, peers)
	if len(c) == 0 {
		if slices.Contains(previous, TypeModelNameCollision) {
			return []Condition{{Type: TypeModelNameCollision, Status: metav1.ConditionFalse, Reason: ReasonNoCollision,
				Message: "no other service of the namespace serves this service's model names"}}, nil
		}
		return nil, nil
	}
	msg := fmt.Sprintf("service %s serves model names that other services of namespace %s serve too: %s; requests by model name (the %s path or the model name header) reach any of them: rename the model (spec.model.name), or put the services in one route group",
		svc.Name, svc.Namespace, strings.Join(c, "; "), "/publishers/<namespace>/models/<model>")
	return []Condition{{Type: TypeModelNameCollision, Status: metav1.ConditionTrue, Reason: ReasonCollision, Message: msg}}, []string{msg}
}
