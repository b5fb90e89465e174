package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks every rule a service's spec must satisfy on its own,
// before anything is composed: this is the one place such rules are
// written. The XRD's CEL rules enforce some of them at admission too, but
// the function must not rely on that: a platform team may write its own
// XRD, and `crossplane render` validates nothing. Rules that need the built
// objects (the GPUs a merged pod asks for) are internal/compose's, and
// rules of the Function input are internal/config's.
//
// The spec is the merged one (every layer of configuration under the XR's
// own spec), so a value from a base configuration is checked like one
// written in the spec; config.Attribute says where each came from.
// spec.baseRefs has been resolved by then: a name that resolves to nothing
// is refused where it is resolved.
func Validate(svc *Service) field.ErrorList {
	s := &svc.Spec
	root := field.NewPath("spec")
	errs := validateModel(&s.Model, root.Child("model"))
	errs = append(errs, validateCriticalityAnnotations(svc)...)
	errs = append(errs, validateManagedDRA(svc)...)
	errs = append(errs, validateWorkload(&s.WorkloadSpec, ownerOf(svc, &s.WorkloadSpec), root)...)
	errs = append(errs, validateKVCacheOffloading(s.KVCacheOffloading, root.Child("kvCacheOffloading"))...)
	errs = append(errs, validateScaling(&s.WorkloadSpec, root)...)
	if s.Prefill != nil {
		errs = append(errs, validateScaling(s.Prefill, root.Child("prefill"))...)
		errs = append(errs, validateScalingModes(s, root)...)
		errs = append(errs, validateWorkload(s.Prefill, ownerOf(svc, s.Prefill), root.Child("prefill"))...)
		errs = append(errs, validateKVCacheOffloading(s.Prefill.KVCacheOffloading, root.Child("prefill", "kvCacheOffloading"))...)
	}
	if s.Router != nil {
		errs = append(errs, validateRouter(svc, root.Child("router"))...)
	}
	errs = append(errs, validateTracing(s.Tracing, root.Child("tracing"))...)
	errs = append(errs, validatePickerPlugins(svc)...)
	errs = append(errs, validateAuthentication(svc)...)
	return append(errs, validatePodFields(svc.Unknown)...)
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
	if c := m.Criticality; c != nil && !slices.Contains(Criticalities, *c) {
		errs = append(errs, field.NotSupported(p.Child("criticality"), *c, Criticalities))
	}
	if m.LoRA != nil {
		errs = append(errs, validateLoRA(m.LoRA, m.Name, p.Child("lora"))...)
	}
	return append(errs, validateConfidential(m.Confidential, p.Child("confidential"))...)
}

// LoRARanks are the values vLLM's --max-lora-rank accepts (a Literal type in
// vLLM's LoRA config, so argparse choices; real-binaries.md, mismatch 1).
var LoRARanks = []int32{1, 8, 16, 32, 64, 128, 256, 320, 512}

func validateLoRA(l *LoRASpec, model *string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if r := l.MaxRank; r != nil && !slices.Contains(LoRARanks, *r) {
		// vLLM types the rank as a Literal, so argparse refuses any other
		// value and vLLM exits before serving.
		ranks := make([]string, len(LoRARanks))
		for i, v := range LoRARanks {
			ranks[i] = strconv.Itoa(int(v))
		}
		errs = append(errs, field.Invalid(p.Child("maxRank"), *r, "must be one of the ranks vLLM accepts: "+strings.Join(ranks, ", ")))
	}
	for _, f := range []struct {
		name string
		v    *int32
	}{{"maxAdapters", l.MaxAdapters}, {"maxCpuAdapters", l.MaxCPUAdapters}} {
		if f.v != nil && *f.v < 1 {
			errs = append(errs, field.Invalid(p.Child(f.name), *f.v, "must be at least 1"))
		}
	}
	if a, c := l.MaxAdapters, l.MaxCPUAdapters; a != nil && c != nil && *a >= 1 && *c < *a {
		// vLLM keeps every adapter on the GPU in the CPU cache too, and
		// refuses max_cpu_loras < max_loras at start.
		errs = append(errs, field.Invalid(p.Child("maxCpuAdapters"), *c,
			fmt.Sprintf("must be at least maxAdapters (%d): vLLM refuses to start with fewer adapters cached on the CPU than held on the GPU", *a)))
	}
	seen := sets.New[string]()
	for i, a := range l.Adapters {
		ap := p.Child("adapters").Index(i)
		switch {
		case a.Name == "":
			errs = append(errs, field.Required(ap.Child("name"), "adapters are served under their name"))
		case len(a.Name) > 63 || len(validation.IsDNS1123Subdomain(a.Name)) > 0 || strings.Contains(a.Name, ".."):
			// The name becomes a directory under /mnt/lora and a vLLM
			// --lora-modules key: no slashes, no '..'.
			errs = append(errs, field.Invalid(ap.Child("name"), a.Name, "must be at most 63 lower case alphanumerics, '-' or '.', start and end alphanumeric, and not contain '..'"))
		case seen.Has(a.Name):
			errs = append(errs, field.Duplicate(ap.Child("name"), a.Name))
		case model != nil && a.Name == *model:
			errs = append(errs, field.Invalid(ap.Child("name"), a.Name, "must differ from the base model's name spec.model.name"))
		}
		seen.Insert(a.Name)
		if c := a.Criticality; c != nil && !slices.Contains(Criticalities, *c) {
			errs = append(errs, field.NotSupported(ap.Child("criticality"), *c, Criticalities))
		}
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

// validatePort refuses a port number outside 1..65535; what says which
// port it is. The XRD's schema bounds ports too, but the function does not
// rely on the schema being installed as written.
func validatePort(n *int32, p *field.Path, what string) field.ErrorList {
	if n == nil || (*n >= 1 && *n <= 65535) {
		return nil
	}
	detail := "must be a port number between 1 and 65535"
	if what != "" {
		detail = fmt.Sprintf("%s: %s", detail, what)
	}
	return field.ErrorList{field.Invalid(p, *n, detail)}
}
