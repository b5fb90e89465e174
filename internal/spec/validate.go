package spec

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks the rules a spec must satisfy on its own, before anything is
// composed. The XRD's CEL rules enforce some of them at admission too, but the
// function must not rely on that: a platform team may write its own XRD, and
// `crossplane render` validates nothing.
func Validate(s *LLMInferenceServiceSpec) field.ErrorList {
	root := field.NewPath("spec")
	errs := validateModel(&s.Model, root.Child("model"))
	errs = append(errs, validateWorkload(&s.WorkloadSpec, root)...)
	if s.Prefill != nil {
		errs = append(errs, validateWorkload(s.Prefill, root.Child("prefill"))...)
	}
	if s.Router != nil {
		errs = append(errs, validateRouter(s.Router, root.Child("router"))...)
	}
	for i, r := range s.BaseRefs {
		if r.Name == "" {
			errs = append(errs, field.Required(root.Child("baseRefs").Index(i).Child("name"), "name of a base configuration"))
		}
	}
	return errs
}

func validateModel(m *LLMModelSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.URI == "" {
		errs = append(errs, field.Required(p.Child("uri"), "the model's location, e.g. hf://meta-llama/Llama-3.1-8B-Instruct"))
	} else if _, err := ParseSource(m.URI); err != nil {
		errs = append(errs, field.Invalid(p.Child("uri"), m.URI, err.Error()))
	}
	if m.Name != nil && strings.TrimSpace(*m.Name) == "" {
		errs = append(errs, field.Invalid(p.Child("name"), *m.Name, "must not be empty when set; leave it out to serve under the service's name"))
	}
	if c := m.Criticality; c != nil {
		switch *c {
		case "Critical", "Standard", "Sheddable":
		default:
			errs = append(errs, field.NotSupported(p.Child("criticality"), string(*c), []string{"Critical", "Standard", "Sheddable"}))
		}
	}
	if m.LoRA == nil {
		return errs
	}
	lp := p.Child("lora")
	for _, f := range []struct {
		name string
		v    *int32
	}{{"maxRank", m.LoRA.MaxRank}, {"maxAdapters", m.LoRA.MaxAdapters}, {"maxCpuAdapters", m.LoRA.MaxCPUAdapters}} {
		if f.v != nil && *f.v < 1 {
			errs = append(errs, field.Invalid(lp.Child(f.name), *f.v, "must be at least 1"))
		}
	}
	seen := sets.New[string]()
	for i, a := range m.LoRA.Adapters {
		ap := lp.Child("adapters").Index(i)
		switch {
		case a.Name == "":
			errs = append(errs, field.Required(ap.Child("name"), "adapters are served under their name"))
		case len(a.Name) > 63 || len(validation.IsDNS1123Subdomain(a.Name)) > 0 || strings.Contains(a.Name, ".."):
			// The name becomes a directory under /mnt/lora and a vLLM
			// --lora-modules key: no slashes, no '..'.
			errs = append(errs, field.Invalid(ap.Child("name"), a.Name, "must be at most 63 lower case alphanumerics, '-' or '.', start and end alphanumeric, and not contain '..'"))
		case seen.Has(a.Name):
			errs = append(errs, field.Duplicate(ap.Child("name"), a.Name))
		case m.Name != nil && a.Name == *m.Name:
			errs = append(errs, field.Invalid(ap.Child("name"), a.Name, "must differ from the base model's name spec.model.name"))
		}
		seen.Insert(a.Name)
		src, err := ParseSource(a.URI)
		switch {
		case a.URI == "":
			errs = append(errs, field.Required(ap.Child("uri"), "the adapter's location: hf://, s3:// or pvc://"))
		case err != nil:
			errs = append(errs, field.Invalid(ap.Child("uri"), a.URI, err.Error()))
		case src.Scheme == SchemeOCI:
			errs = append(errs, field.Invalid(ap.Child("uri"), a.URI, "LoRA adapters can come from hf://, s3:// or pvc://, not oci://"))
		}
	}
	return errs
}

func validateWorkload(w *WorkloadSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if w.Replicas != nil && *w.Replicas < 0 {
		errs = append(errs, field.Invalid(p.Child("replicas"), *w.Replicas, "must be 0 or more"))
	}
	pp := p.Child("parallelism")
	par := w.Parallelism
	if par != nil {
		for _, f := range []struct {
			name string
			v    *int32
		}{{"tensor", par.Tensor}, {"pipeline", par.Pipeline}, {"data", par.Data}, {"dataLocal", par.DataLocal}} {
			if f.v != nil && *f.v < 1 {
				errs = append(errs, field.Invalid(pp.Child(f.name), *f.v, "must be greater than 0"))
			}
		}
		if par.DataRPCPort != nil && (*par.DataRPCPort < 1 || *par.DataRPCPort > 65535) {
			errs = append(errs, field.Invalid(pp.Child("dataRPCPort"), *par.DataRPCPort, "must be a port number between 1 and 65535"))
		}
		if par.Pipeline != nil && (par.Data != nil || par.DataLocal != nil) {
			errs = append(errs, field.Forbidden(pp, "cannot set both pipeline parallelism and data parallelism (data or dataLocal) simultaneously"))
		}
		if par.Data != nil && par.DataLocal == nil {
			errs = append(errs, field.Required(pp.Child("dataLocal"), "dataLocal must be set when data is set"))
		}
		if par.DataLocal != nil && par.Data == nil {
			errs = append(errs, field.Required(pp.Child("data"), "data must be set when dataLocal is set"))
		}
	}
	if w.Worker != nil && (par == nil || (par.Data == nil && par.DataLocal == nil && par.Pipeline == nil)) {
		errs = append(errs, field.Required(pp, "when worker is specified, parallelism must be configured for either data parallelism or pipeline parallelism"))
	}
	errs = append(errs, validateLabels(w.Labels, p.Child("labels"))...)
	return errs
}

func validateLabels(l map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sets.List(sets.KeySet(l)) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p.Key(k), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(l[k]) {
			errs = append(errs, field.Invalid(p.Key(k), l[k], msg))
		}
	}
	return errs
}

func validateRouter(r *RouterSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	var routeRefs, routeSpec bool
	if r.Route != nil && r.Route.HTTP != nil {
		routeRefs = len(r.Route.HTTP.Refs) > 0
		routeSpec = r.Route.HTTP.Spec != nil
	}
	gatewayRefs := r.Gateway != nil && len(r.Gateway.Refs) > 0
	managedGateway := r.Gateway != nil && !gatewayRefs
	if routeRefs && routeSpec {
		errs = append(errs, field.Forbidden(p.Child("route", "http"), "unsupported configuration: cannot use both custom HTTPRoute refs (spec.router.route.http.refs) and an inline route spec (spec.router.route.http.spec); choose one"))
	}
	if routeRefs && managedGateway {
		errs = append(errs, field.Forbidden(p.Child("gateway"), "unsupported configuration: custom HTTP routes (spec.router.route.http.refs) cannot be used with a managed gateway (spec.router.gateway: {}); either remove spec.router.gateway or set spec.router.gateway.refs to the gateways your routes attach to"))
	}
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
	if r.Route != nil && r.Route.HTTP != nil {
		for i, ref := range r.Route.HTTP.Refs {
			errs = append(errs, validateRefName(ref.Name, p.Child("route", "http", "refs").Index(i).Child("name"))...)
		}
	}
	if r.Scheduler != nil {
		sp := p.Child("scheduler")
		if pool := r.Scheduler.Pool; pool != nil && pool.Ref != nil {
			errs = append(errs, validateRefName(pool.Ref.Name, sp.Child("pool", "ref", "name"))...)
		}
		if pool := r.Scheduler.Pool; pool != nil && pool.Spec != nil {
			errs = append(errs, validateLabels(pool.Spec.Selector, sp.Child("pool", "spec", "selector"))...)
		}
		if r.Scheduler.Replicas != nil && *r.Scheduler.Replicas < 1 {
			errs = append(errs, field.Invalid(sp.Child("replicas"), *r.Scheduler.Replicas, "scheduler replicas must be greater than zero"))
		}
		if c := r.Scheduler.Config; c != nil && (c.Inline == nil) == (c.Ref == nil) {
			errs = append(errs, field.Invalid(sp.Child("config"), "", "either inline or ref is required, not both"))
		}
		if pool := r.Scheduler.Pool; pool != nil && pool.Spec != nil && pool.Ref != nil {
			errs = append(errs, field.Forbidden(sp.Child("pool"), "spec and ref are mutually exclusive"))
		}
	}
	return errs
}

// validateRefName checks the name of a referenced object.
func validateRefName(name string, p *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(p, "the name of the object to use")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}
