package spec

import (
	"bytes"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Refusals of router configurations, in KServe's words where it has them.
const (
	errRouteRefsAndSpec = "unsupported configuration: cannot use both custom HTTPRoute refs (spec.router.route.http.refs) and an inline route spec (spec.router.route.http.spec); choose one"
	errRouteRefsManaged = "unsupported configuration: custom HTTP routes (spec.router.route.http.refs) cannot be used with a managed gateway (spec.router.gateway: {}); either remove spec.router.gateway or set spec.router.gateway.refs to the gateways your routes attach to"
	errRouteParentsMgd  = "unsupported configuration: the managed HTTPRoute attaches to the managed Gateway (spec.router.gateway: {}); remove spec.router.route.http.spec.parentRefs, or list the Gateways to attach to in spec.router.gateway.refs instead"
	errRouteParentsRefs = "unsupported configuration: spec.router.route.http.spec.parentRefs conflict with the custom gateway refs (spec.router.gateway.refs); remove parentRefs (the route then attaches to the gateway refs) or make them name the same Gateways and listeners"
)

func validateRouter(svc *Service, p *field.Path) field.ErrorList {
	s, ns := &svc.Spec, svc.Namespace
	r := s.Router
	var errs field.ErrorList
	if r.Gateway != nil {
		for i, g := range r.Gateway.Refs {
			gp := p.Child("gateway", "refs").Index(i)
			errs = append(errs, validateRefName(g.Name, gp.Child("name"))...)
			if g.Namespace != "" {
				for _, msg := range validation.IsDNS1123Label(g.Namespace) {
					errs = append(errs, field.Invalid(gp.Child("namespace"), g.Namespace, msg))
				}
			}
		}
	}
	if r.Route != nil {
		errs = append(errs, validateRoute(svc, ns, p)...)
		errs = append(errs, validateRouteGroup(r, p)...)
		errs = append(errs, validateModelPath(svc)...)
	}
	if r.Scheduler != nil {
		errs = append(errs, validateScheduler(r.Scheduler, pickerWiring(svc), p.Child("scheduler"))...)
	}
	return errs
}

// validateRoute checks spec.router.route against spec.router.gateway. The
// user's route refs carry the traffic themselves, so they take neither an
// inline spec nor spec.router.gateway: {} (KServe's rule, whatever {} means
// on the platform). A managed route naming no Gateway attaches to the
// platform's, as in KServe; the user's parentRefs may repeat
// spec.router.gateway.refs (the same parents said twice) but not contradict
// them, and may not replace a Gateway composed for the service, which would
// then serve nothing. ns is the route's namespace, which parents default to.
func validateRoute(svc *Service, ns string, p *field.Path) field.ErrorList {
	s := &svc.Spec
	r := s.Router
	hp := p.Child("route", "http")
	var errs field.ErrorList
	if s.RouteRefs() {
		if r.Route.HTTP.Spec != nil {
			errs = append(errs, field.Forbidden(hp, errRouteRefsAndSpec))
		}
		if s.ManagedGateway() {
			errs = append(errs, field.Forbidden(p.Child("gateway"), errRouteRefsManaged))
		}
		for i, ref := range r.Route.HTTP.Refs {
			errs = append(errs, validateRefName(ref.Name, hp.Child("refs").Index(i).Child("name"))...)
		}
		return errs
	}
	var user *gatewayv1.HTTPRouteSpec
	if r.Route.HTTP != nil {
		user = r.Route.HTTP.Spec
	}
	userParents := user != nil && len(user.ParentRefs) > 0
	parents := hp.Child("spec", "parentRefs")
	switch {
	case userParents && svc.ComposesGateway():
		errs = append(errs, field.Forbidden(parents, errRouteParentsMgd))
	case userParents && r.Gateway != nil && len(r.Gateway.Refs) > 0 && !wiring.SameParents(user.ParentRefs, GatewayRefParents(r.Gateway), ns):
		errs = append(errs, field.Forbidden(parents, errRouteParentsRefs))
	}
	return errs
}

// GatewayRefParents are the parent references of spec.router.gateway.refs:
// one per ref, in the route's namespace unless the ref names one.
func GatewayRefParents(g *GatewaySpec) []gatewayv1.ParentReference {
	refs := make([]gatewayv1.ParentReference, 0, len(g.Refs))
	for _, r := range g.Refs {
		refs = append(refs, wiring.GatewayParent(r.Name, r.Namespace, r.SectionName))
	}
	return refs
}

func validateScheduler(s *SchedulerSpec, w wiring.PickerWiring, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Replicas != nil && *s.Replicas < 1 {
		errs = append(errs, field.Invalid(p.Child("replicas"), *s.Replicas,
			"must be at least 1: the pool sends no traffic without an endpoint picker; remove spec.router.scheduler to route without one"))
	}
	if pool := s.Pool; pool != nil {
		pp := p.Child("pool")
		if pool.Spec != nil && pool.Ref != nil {
			errs = append(errs, field.Forbidden(pp, "spec and ref are mutually exclusive"))
		}
		if pool.Ref != nil {
			errs = append(errs, validateRefName(pool.Ref.Name, pp.Child("ref", "name"))...)
		}
		if pool.Spec != nil {
			errs = append(errs, validatePoolSpec(pool.Spec, pp.Child("spec"))...)
		}
	}
	if c := s.Config; c != nil {
		errs = append(errs, validatePickerConfig(c, p.Child("config"))...)
	}
	if s.Template != nil {
		errs = append(errs, validatePickerPod(s.Template, w, p.Child("template"))...)
	}
	return errs
}

// validatePickerConfig checks scheduler.config: exactly one of inline and
// ref, as KServe's CEL rule says, a ConfigMap reference that can be
// mounted (a bad one only shows as a pod stuck in ContainerCreating), and
// an inline configuration the picker can read.
func validatePickerConfig(c *SchedulerConfigSpec, p *field.Path) field.ErrorList {
	if (c.Inline == nil) == (c.Ref == nil) {
		return field.ErrorList{field.Invalid(p, "", "either inline or ref is required, not both")}
	}
	if c.Ref != nil {
		return validatePickerConfigRef(c.Ref, p.Child("ref"))
	}
	return validatePickerConfigInline(c.Inline.Raw, p.Child("inline"))
}

func validatePickerConfigRef(ref *corev1.ConfigMapKeySelector, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ref.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "the ConfigMap holding the EndpointPickerConfig"))
	} else {
		for _, msg := range validation.IsDNS1123Subdomain(ref.Name) {
			errs = append(errs, field.Invalid(p.Child("name"), ref.Name, msg))
		}
	}
	if ref.Key != "" {
		for _, msg := range validation.IsConfigMapKey(ref.Key) {
			errs = append(errs, field.Invalid(p.Child("key"), ref.Key, msg))
		}
	}
	return errs
}

// validatePickerConfigInline checks an inline EndpointPickerConfig, as
// written, at p: an object, of kind EndpointPickerConfig when the kind is
// set, with a group/version string when the apiVersion is set. The
// apiVersion's value is not checked, since the picker image, which a
// platform may change, decides which ones it reads. Both are filled in
// when missing: the picker refuses a file without them.
func validatePickerConfigInline(raw []byte, p *field.Path) field.ErrorList {
	if len(bytes.TrimSpace(raw)) == 0 {
		return field.ErrorList{field.Required(p, "an EndpointPickerConfig object")}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return field.ErrorList{field.Invalid(p, string(raw), fmt.Sprintf("not valid YAML or JSON: %v", err))}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{field.Invalid(p, string(raw), fmt.Sprintf(
			"must be an EndpointPickerConfig object (kind, plugins, schedulingProfiles, ...) written as YAML under inline, not a %s", jsonKind(v)))}
	}
	if k, ok := m["kind"]; ok && k != wiring.PickerConfigKind {
		return field.ErrorList{field.Invalid(p, k, "kind must be "+wiring.PickerConfigKind+" when set")}
	}
	if a, ok := m["apiVersion"]; ok {
		if s, isString := a.(string); !isString || s == "" {
			return field.ErrorList{field.Invalid(p, a, "apiVersion must be a group/version string such as "+wiring.PickerConfigAPIVersion+" when set")}
		}
	}
	return nil
}

// jsonKind names the JSON type of v for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "list"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// validatePickerPod checks the picker's pod template at p: the flags that
// break its wiring w, and inline credentials. Whether the gateway talks TLS
// to the picker depends on the Function input, so compose checks
// --secure-serving=false against it.
func validatePickerPod(pod *corev1.PodSpec, w wiring.PickerWiring, p *field.Path) field.ErrorList {
	errs := validateCredentials(pod, p)
	main := wiring.Container(pod, wiring.MainContainer)
	if main == nil {
		return errs
	}
	ap := p.Child("containers").Key(wiring.MainContainer).Child("args")
	for _, r := range wiring.PickerRefusals(main.Args, w) {
		errs = append(errs, field.Forbidden(ap.Index(r.Index), fmt.Sprintf("%s is set by the function: %s", r.Flag, r.Why)))
	}
	return errs
}

// pickerWiring is what the function wires the picker of svc to: the pool it
// composes (compose's managedPoolName) in the service's namespace.
func pickerWiring(svc *Service) wiring.PickerWiring {
	w := wiring.PickerWiring{Pool: names.Child(svc.Name, "inference-pool"), Namespace: svc.Namespace, Known: true}
	if sc := svc.Spec.Router.Scheduler; sc != nil && sc.Replicas != nil && *sc.Replicas > 1 {
		w.LeaderElection = true
	}
	return w
}
