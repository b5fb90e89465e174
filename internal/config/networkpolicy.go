package config

import (
	"fmt"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// NetworkPolicyGateway is who the gateway's pods are, as the input names
// them: the pods PodSelector matches (nil: all) in the namespaces named
// (Namespaces) or selected (NamespaceSelector), or, with neither, in the
// namespace of each Gateway the route attaches to.
type NetworkPolicyGateway struct {
	Namespaces        []string
	NamespaceSelector *metav1.LabelSelector
	PodSelector       *metav1.LabelSelector
}

// networkPolicyFromInput takes the input's NetworkPolicy switch, gateway
// and monitoring namespaces. The namespaces are sorted, so the policies
// come out the same however the input lists them.
func networkPolicyFromInput(c *Config, in *v1beta1.NetworkPolicy, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch in.Mode {
	case "", v1beta1.Enabled:
		c.NetworkPolicies = true
	case v1beta1.Disabled:
		c.NetworkPolicies = false
		if in.Gateway != nil || len(in.Monitoring.Namespaces) > 0 {
			errs = append(errs, field.Invalid(p.Child("mode"), in.Mode,
				"gateway and monitoring only shape the NetworkPolicies, which are off: set mode Enabled, or remove them"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("mode"), in.Mode, []string{string(v1beta1.Enabled), string(v1beta1.Disabled)}))
	}
	c.MonitoringNamespaces, errs = namespaceList(in.Monitoring.Namespaces, p.Child("monitoring", "namespaces"), errs)
	if g := in.Gateway; g != nil {
		gp := p.Child("gateway")
		out := &NetworkPolicyGateway{NamespaceSelector: g.NamespaceSelector, PodSelector: g.PodSelector}
		out.Namespaces, errs = namespaceList(g.Namespaces, gp.Child("namespaces"), errs)
		if len(g.Namespaces) > 0 && g.NamespaceSelector != nil {
			errs = append(errs, field.Invalid(gp.Child("namespaceSelector"), g.NamespaceSelector.String(),
				"cannot be set with "+gp.Child("namespaces").String()+": name the gateway's namespaces, or select them by label"))
		}
		errs = append(errs, checkSelector(g.NamespaceSelector, gp.Child("namespaceSelector"))...)
		errs = append(errs, checkSelector(g.PodSelector, gp.Child("podSelector"))...)
		c.NetworkPolicyGateway = out
	}
	return errs
}

// namespaceList checks and sorts a list of namespace names.
func namespaceList(ns []string, p *field.Path, errs field.ErrorList) ([]string, field.ErrorList) {
	for i, n := range ns {
		for _, msg := range validation.IsDNS1123Label(n) {
			errs = append(errs, field.Invalid(p.Index(i), n, msg+"; list namespace names"))
		}
	}
	out := slices.Clone(ns)
	slices.Sort(out)
	return slices.Compact(out), errs
}

// checkSelector refuses a label selector the API server would refuse in a
// NetworkPolicy.
func checkSelector(s *metav1.LabelSelector, p *field.Path) field.ErrorList {
	if s == nil {
		return nil
	}
	if _, err := metav1.LabelSelectorAsSelector(s); err != nil {
		return field.ErrorList{field.Invalid(p, s.String(), fmt.Sprintf("is not a valid label selector: %v", err))}
	}
	return nil
}
