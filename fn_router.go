package main

import (
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

const errFmtRequired = "cannot read required resource %s"

// Kinds the function reads but does not compose: the objects a spec
// references by name.
var (
	refGateway = refKind{APIVersion: gatewayv1.GroupVersion.String(), Kind: wiring.GatewayKind}
	refRoute   = refKind{APIVersion: gatewayv1.GroupVersion.String(), Kind: wiring.RouteKind}
	refPool    = refKind{APIVersion: giev1.GroupVersion.String(), Kind: wiring.PoolKind}
)

type refKind struct{ APIVersion, Kind string }

// references are the objects the router spec names: Gateways, HTTPRoutes,
// an InferencePool, the Gateways referenced routes attach to, and the
// platform's Gateway when the managed route attaches to it. Crossplane
// fetches them as required resources and calls the function again; the
// selectors depend only on the spec and on what was fetched, so they settle
// within Crossplane's iteration limit (at most two rounds). Their health is
// status's to judge.
type references struct {
	status.References
	selectors map[string]*fnv1.ResourceSelector
}

func readReferences(req *fnv1.RunFunctionRequest, svc *spec.Service) (*references, error) {
	refs := &references{selectors: map[string]*fnv1.ResourceSelector{}}
	r := svc.Spec.Router
	if r == nil {
		return refs, nil
	}
	// The platform's Gateway, which a route naming no Gateway attaches to,
	// is read like a referenced one: its readiness and address are the
	// service's.
	if svc.OnPlatformGateway() {
		if err := refs.require(req, refGateway, &refs.Gateways, svc.Platform.Gateway); err != nil {
			return nil, err
		}
	}
	if r.Gateway != nil {
		gateways := make([]types.NamespacedName, 0, len(r.Gateway.Refs))
		for _, g := range r.Gateway.Refs {
			ns := g.Namespace
			if ns == "" {
				ns = svc.Namespace
			}
			gateways = append(gateways, types.NamespacedName{Namespace: ns, Name: g.Name})
		}
		if err := refs.require(req, refGateway, &refs.Gateways, gateways...); err != nil {
			return nil, err
		}
	}
	if err := refs.requireRoutes(req, svc); err != nil {
		return nil, err
	}
	if s := r.Scheduler; s != nil && s.Pool != nil && s.Pool.Ref != nil {
		var pools []status.Reference
		if err := refs.require(req, refPool, &pools, types.NamespacedName{Namespace: svc.Namespace, Name: s.Pool.Ref.Name}); err != nil {
			return nil, err
		}
		if len(pools) > 0 {
			refs.Pool = &pools[0]
		}
	}
	return refs, nil
}

// requireRoutes asks for the HTTPRoutes the spec names and, once they are
// read, for the Gateways they attach to: their readiness and addresses
// make the URL.
func (refs *references) requireRoutes(req *fnv1.RunFunctionRequest, svc *spec.Service) error {
	if !svc.Spec.RouteRefs() {
		return nil
	}
	names := svc.Spec.Router.Route.HTTP.Refs
	routes := make([]types.NamespacedName, 0, len(names))
	for _, rt := range names {
		routes = append(routes, types.NamespacedName{Namespace: svc.Namespace, Name: rt.Name})
	}
	if err := refs.require(req, refRoute, &refs.Routes, routes...); err != nil {
		return err
	}
	for _, rt := range refs.Routes {
		if err := refs.require(req, refGateway, &refs.Gateways, status.ParentGateways(rt.Object)...); err != nil {
			return err
		}
	}
	return nil
}

// require asks Crossplane for objects of one kind by name and appends what
// it has resolved so far to into, each object once.
func (refs *references) require(req *fnv1.RunFunctionRequest, k refKind, into *[]status.Reference, keys ...types.NamespacedName) error {
	for _, key := range keys {
		name := strings.ToLower(k.Kind) + "/" + key.Namespace + "/" + key.Name
		if _, seen := refs.selectors[name]; seen {
			continue
		}
		refs.selectors[name] = &fnv1.ResourceSelector{
			ApiVersion: k.APIVersion,
			Kind:       k.Kind,
			Match:      &fnv1.ResourceSelector_MatchName{MatchName: key.Name},
			Namespace:  ptr.To(key.Namespace),
		}
		r := status.Reference{Kind: k.Kind, Key: key}
		got, ok, err := request.GetRequiredResource(req, name)
		if err != nil {
			return errors.Wrapf(err, errFmtRequired, r)
		}
		r.Resolved = ok
		if ok && len(got) > 0 {
			r.Object = got[0].Resource
		}
		*into = append(*into, r)
	}
	return nil
}

// requirements is what the response asks Crossplane to fetch, nil when the
// spec references nothing.
func (refs *references) requirements() *fnv1.Requirements {
	if len(refs.selectors) == 0 {
		return nil
	}
	return &fnv1.Requirements{Resources: refs.selectors}
}
