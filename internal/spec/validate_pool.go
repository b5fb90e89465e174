package spec

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Limits of the v1 pool spec (Gateway API Inference Extension).
const (
	maxPoolLabels      = 64
	maxPoolTargetPorts = 8
)

// errFmtPoolShapes refuses one setting written in both versions' shapes.
const errFmtPoolShapes = "%s (KServe v1alpha1's pool shape) and %s (v1alpha2's) are the same setting: keep one"

// validatePoolSpec checks a pool spec, in the shape of either API version,
// at p: each setting in one shape only, and the values the v1 pool the
// function composes takes.
func validatePoolSpec(ps *PoolSpec, p *field.Path) field.ErrorList {
	errs := validatePoolSelector(ps.Selector, p.Child("selector"))
	if ps.TargetPortNumber != nil && len(ps.TargetPorts) > 0 {
		errs = append(errs, field.Forbidden(p, fmt.Sprintf(errFmtPoolShapes, p.Child("targetPortNumber"), p.Child("targetPorts"))))
	}
	errs = append(errs, validatePort(ps.TargetPortNumber, p.Child("targetPortNumber"), "the model-server port the pool sends traffic to")...)
	errs = append(errs, validatePoolTargetPorts(ps.TargetPorts, p.Child("targetPorts"))...)
	switch ps.AppProtocol {
	case "", giev1.AppProtocolHTTP, giev1.AppProtocolH2C:
	default:
		errs = append(errs, field.NotSupported(p.Child("appProtocol"), ps.AppProtocol, []giev1.AppProtocol{giev1.AppProtocolHTTP, giev1.AppProtocolH2C}))
	}
	if ps.ExtensionRef != nil && ps.EndpointPickerRef != nil {
		errs = append(errs, field.Forbidden(p, fmt.Sprintf(errFmtPoolShapes, p.Child("extensionRef"), p.Child("endpointPickerRef"))))
	}
	if r := ps.ExtensionRef; r != nil {
		ep := p.Child("extensionRef")
		errs = append(errs, validatePort(r.PortNumber, ep.Child("portNumber"), "the endpoint picker Service's ext-proc port")...)
		if r.FailureMode != nil {
			errs = append(errs, validateFailureMode(giev1.EndpointPickerFailureMode(*r.FailureMode), ep.Child("failureMode"))...)
		}
	}
	if r := ps.EndpointPickerRef; r != nil {
		errs = append(errs, validateEndpointPickerRef(r, p.Child("endpointPickerRef"))...)
	}
	return errs
}

// validatePoolSelector checks the selector's labels in either shape, and
// that it is written in one.
func validatePoolSelector(s *PoolSelector, p *field.Path) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	mp := p.Child(matchLabelsKey)
	if s.MatchLabels != nil && len(s.Labels) > 0 {
		errs = append(errs, field.Forbidden(p, fmt.Sprintf(errFmtPoolShapes,
			p.String()+" labels ("+strings.Join(slices.Sorted(maps.Keys(s.Labels)), ", ")+")", mp)))
	}
	switch {
	case s.MatchLabels != nil && len(s.MatchLabels) == 0:
		errs = append(errs, field.Required(mp, "the labels the pool's pods carry; leave selector out to select the workload's pods"))
	case len(s.MatchLabels) > maxPoolLabels:
		errs = append(errs, field.TooMany(mp, len(s.MatchLabels), maxPoolLabels))
	case len(s.Labels) > maxPoolLabels:
		errs = append(errs, field.TooMany(p, len(s.Labels), maxPoolLabels))
	}
	errs = append(errs, validateLabels(s.MatchLabels, mp)...)
	return append(errs, validateLabels(s.Labels, p)...)
}

// validatePoolTargetPorts checks v1's targetPorts: 1 to 8 distinct ports.
func validatePoolTargetPorts(ports []giev1.Port, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(ports) > maxPoolTargetPorts {
		errs = append(errs, field.TooMany(p, len(ports), maxPoolTargetPorts))
	}
	seen := map[giev1.PortNumber]bool{}
	for i, port := range ports {
		n := int32(port.Number)
		errs = append(errs, validatePort(&n, p.Index(i).Child("number"), "a model-server port the pool sends traffic to")...)
		if seen[port.Number] {
			errs = append(errs, field.Duplicate(p.Index(i).Child("number"), port.Number))
		}
		seen[port.Number] = true
	}
	return errs
}

// validateEndpointPickerRef checks v1's endpointPickerRef. A Service
// reference names its port, as Gateway API Inference Extension's rule
// says: the kind is Service when unset.
func validateEndpointPickerRef(r *PoolEndpointPickerRef, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r.Port != nil {
		n := int32(r.Port.Number)
		errs = append(errs, validatePort(&n, p.Child("port", "number"), "the endpoint picker Service's ext-proc port")...)
	} else if r.Kind == "" || r.Kind == "Service" {
		errs = append(errs, field.Required(p.Child("port"), fmt.Sprintf(
			"port is required when kind is 'Service' or unspecified (defaults to 'Service'): the picker Service's ext-proc port, {number: %d} for the picker the function composes", wiring.PickerGRPCPort)))
	}
	if r.FailureMode != "" {
		errs = append(errs, validateFailureMode(r.FailureMode, p.Child("failureMode"))...)
	}
	return errs
}

func validateFailureMode(m giev1.EndpointPickerFailureMode, p *field.Path) field.ErrorList {
	modes := []giev1.EndpointPickerFailureMode{giev1.EndpointPickerFailOpen, giev1.EndpointPickerFailClose}
	if slices.Contains(modes, m) {
		return nil
	}
	return field.ErrorList{field.NotSupported(p, m, modes)}
}
