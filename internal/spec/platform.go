package spec

import (
	"k8s.io/apimachinery/pkg/types"
)

// Platform is what the Function input says of the platform around the
// service that the meaning of its router spec depends on. The plan fills it
// in from the input once the spec is decoded.
type Platform struct {
	// Gateway is the platform's shared Gateway, KServe's ingress gateway
	// (kserve/kserve-ingress-gateway by default): a managed route with no
	// spec.router.gateway attaches to it, as in KServe.
	Gateway types.NamespacedName
	// EmptyGatewayIsPlatform makes spec.router.gateway: {} mean Gateway
	// too, as it does in KServe, instead of a Gateway composed for the
	// service.
	EmptyGatewayIsPlatform bool
	// Authentication is true when the input has the gateway authenticate
	// every service's route (router.authentication), and
	// AuthenticationOptOut when a service may turn that off.
	Authentication       bool
	AuthenticationOptOut bool
}

// ComposesGateway is true when the function composes a Gateway for the
// service: spec.router.gateway without refs, unless the platform says that
// means its own Gateway.
func (svc *Service) ComposesGateway() bool {
	return svc.Spec.ManagedGateway() && !svc.Platform.EmptyGatewayIsPlatform
}

// OnPlatformGateway is true when the managed HTTPRoute attaches to the
// platform's Gateway: it names no Gateway of its own (no parentRefs, no
// useDefaultGateways) and spec.router.gateway names none either, being
// absent, or {} where the platform says that means its Gateway.
func (svc *Service) OnPlatformGateway() bool {
	s := &svc.Spec
	if !s.ManagedRoute() {
		return false
	}
	if g := s.Router.Gateway; g != nil && (len(g.Refs) > 0 || !svc.Platform.EmptyGatewayIsPlatform) {
		return false
	}
	if h := s.Router.Route.HTTP; h != nil && h.Spec != nil {
		return len(h.Spec.ParentRefs) == 0 && h.Spec.UseDefaultGateways == ""
	}
	return true
}
