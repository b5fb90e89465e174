package main

import (
	"fmt"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// requirementPeers is the required resource the other services of the
// namespace are read through.
const requirementPeers = "peers"

// maxPeers bounds the services read per call. Crossplane sends every XR
// the selector matches (it cannot be bounded), but the function decodes
// and compares each, on every call of every service of the namespace, and
// each is a few KiB of the request (the function accepts 8 MiB, the
// observed composed resources take a few hundred KiB): 256 peers keep a
// call well under that, and each costs about 80 µs to decode and compare
// (BenchmarkRunFunctionPeers: 3 ms a call without peers, 23 ms with 256,
// on a loaded 2-core machine). Past it, the first 256 by name are read
// and a Warning says so.
const maxPeers = 256

const errFmtPeer = "cannot read the services of namespace %s"

// peers are the other services of the namespace, for the service's route
// group and model-name collisions: one requirement, read by one reader.
type peers struct {
	list     []status.Peer
	selector *fnv1.ResourceSelector
	warning  string
}

// readPeers asks Crossplane for the XRs of the service's own apiVersion and
// kind in its namespace, when the service has a route group or a managed
// route whose model-name collisions the Function input does not ignore
// (the only two things peers decide), and is not stopped (it then composes
// no route); a service with neither asks for nothing. An empty label selector selects every XR of the kind in the
// namespace (Crossplane lists with it, and its watch matches every object
// with it), so a user writes nothing to join a group beyond the spec's
// group and weight: Crossplane watches what a function requires, and a
// peer's change calls every member again. A legacy XR made for a claim is
// cluster scoped: its peers are the XRs made for claims in the same
// namespace, by Crossplane's claim-namespace label. A cluster scoped XR
// made for no claim reads no peers.
func readPeers(req *fnv1.RunFunctionRequest, oxr *resource.Composite, svc *spec.Service, stopped bool, cfg config.Config) (*peers, error) {
	out := &peers{}
	if stopped || (svc.Spec.RouteGroup() == "" && (!svc.Spec.ManagedRoute() || cfg.IgnoreCollisions)) {
		return out, nil
	}
	sel := &fnv1.ResourceSelector{ApiVersion: oxr.Resource.GetAPIVersion(), Kind: oxr.Resource.GetKind()}
	switch {
	case oxr.Resource.GetNamespace() != "":
		sel.Namespace = ptr.To(oxr.Resource.GetNamespace())
		sel.Match = &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{}}}
	case oxr.Resource.GetLabels()[spec.LabelClaimNamespace] != "":
		sel.Match = &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: map[string]string{spec.LabelClaimNamespace: svc.Namespace}}}
	default:
		return out, nil
	}
	out.selector = sel
	got, _, err := request.GetRequiredResource(req, requirementPeers)
	if err != nil {
		return nil, errors.Wrapf(err, errFmtPeer, svc.Namespace)
	}
	if len(got) > maxPeers {
		out.warning = fmt.Sprintf("namespace %s has %d services; route groups and model-name collisions read the first %d by name", svc.Namespace, len(got), maxPeers)
		got = got[:maxPeers]
	}
	for _, r := range got {
		if r.Resource == nil {
			continue
		}
		p, err := status.PeerOf(r.Resource, cfg.Namespace)
		if err != nil {
			// A peer whose spec cannot be read is in no group and
			// serves nothing the function can tell: its own Fatal
			// result says why.
			continue
		}
		out.list = append(out.list, p)
	}
	return out, nil
}

// readPeersAndRoute reads the peers and finishes the route with them.
func readPeersAndRoute(req *fnv1.RunFunctionRequest, oxr *resource.Composite, p *plan, cfg config.Config, refs *references) (*peers, []byte, error) {
	ps, err := readPeers(req, oxr, p.svc, p.stopped, cfg)
	if err != nil {
		return nil, nil, err
	}
	route, err := finishRoute(p, cfg, refs, ps)
	return ps, route, err
}

// finishRoute is the managed HTTPRoute as this call sends it, when what
// other objects say changes the planned one: without the model name
// header rules when a Gateway it attaches to opts out of model-based
// routing (mode enabled), and with the route group's weighted backends.
// Nil when the planned route stands (or none is composed).
func finishRoute(p *plan, cfg config.Config, refs *references, ps *peers) ([]byte, error) {
	var planned *gatewayv1.HTTPRoute
	for _, o := range p.desired.Objects {
		if rt, ok := o.Object.(*gatewayv1.HTTPRoute); ok && o.Name == compose.ResourceRoute {
			planned = rt
		}
	}
	if planned == nil {
		return nil, nil
	}
	rt := planned
	if cfg.ModelBasedRoutingMode == v1beta1.ModelBasedRoutingEnabled && gatewayOptsOut(refs) {
		rt = compose.WithoutModelHeader(rt, cfg.ModelBasedRoutingHeaderName)
	}
	if g := status.RouteGroup(p.svc, ps.list); g != nil {
		rt = compose.GroupRoute(rt, p.svc, g.Backends())
	}
	if rt == planned {
		return nil, nil
	}
	cd, err := compose.ToComposed(rt)
	if err != nil {
		return nil, errors.Wrapf(err, errFmtComposed, compose.ResourceRoute)
	}
	b, err := encodeObject(cd.UnstructuredContent())
	return b, errors.Wrapf(err, errFmtComposed, compose.ResourceRoute)
}

// gatewayOptsOut is true when a Gateway the route attaches to, among those
// the function reads (the platform's, spec.router.gateway.refs), carries
// KServe's opt-out annotation.
func gatewayOptsOut(refs *references) bool {
	for _, g := range refs.Gateways {
		if g.Object != nil && strings.EqualFold(g.Object.GetAnnotations()[wiring.AnnotationModelRouting], "false") {
			return true
		}
	}
	return false
}
