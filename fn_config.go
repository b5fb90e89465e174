package main

import (
	"slices"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Base configurations read from the cluster: KServe's
// LLMInferenceServiceConfigs, whose spec is the spec fragment (read at
// v1alpha2; both versions of the CRD have one schema), and EnvironmentConfigs,
// which a platform team manages outside the Composition and whose data.spec
// is the fragment.
const (
	serviceConfigAPIVersion = "serving.kserve.io/v1alpha2"
	serviceConfigKind       = "LLMInferenceServiceConfig"
	envConfigAPIVersion     = "apiextensions.crossplane.io/v1beta1"
	envConfigKind           = "EnvironmentConfig"
)

const errFmtReadBase = "cannot read %s"

// baseConfigs are the layers spec.baseRefs names, resolved.
type baseConfigs struct {
	// layers in the order named, lowest precedence first.
	layers []config.Layer
	// selectors ask Crossplane for the objects a name may resolve to.
	selectors map[string]*fnv1.ResourceSelector
	// pending is true until Crossplane has read every object asked for:
	// the function then answers with its requirements only, since
	// composing without a base would compose something else.
	pending bool
}

// A place is one object a spec.baseRefs name may resolve to, in the
// cluster.
type place struct {
	source config.Source
	// namespace is the LLMInferenceServiceConfig's; empty for the cluster
	// scoped EnvironmentConfig.
	namespace string
}

// key names the requirement for the object called name at this place.
func (pl place) key(name string) string {
	if pl.source == config.SourceEnvironmentConfig {
		return "environmentconfig/" + name
	}
	return "llminferenceserviceconfig/" + pl.namespace + "/" + name
}

// selector asks Crossplane for the object called name at this place.
func (pl place) selector(name string) *fnv1.ResourceSelector {
	if pl.source == config.SourceEnvironmentConfig {
		return &fnv1.ResourceSelector{ApiVersion: envConfigAPIVersion, Kind: envConfigKind, Match: &fnv1.ResourceSelector_MatchName{MatchName: name}}
	}
	return &fnv1.ResourceSelector{
		ApiVersion: serviceConfigAPIVersion,
		Kind:       serviceConfigKind,
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: name},
		Namespace:  ptr.To(pl.namespace),
	}
}

// describe names the object called name at this place, for messages.
func (pl place) describe(name string) string {
	if pl.source == config.SourceEnvironmentConfig {
		return envConfigKind + " " + name
	}
	return serviceConfigKind + " " + pl.namespace + "/" + name
}

// resolveBaseRefs resolves each spec.baseRefs name to the first of, in
// order:
//
//  1. the Function input's preset of that name, which needs no read;
//  2. the LLMInferenceServiceConfig of that name in the service's namespace
//     (the claim's, for a legacy XR made for one);
//  3. the LLMInferenceServiceConfig of that name in the platform's namespace
//     (input.systemNamespace), as KServe looks in its own namespace after
//     the service's, so a config in the service's namespace shadows the
//     platform's;
//  4. the EnvironmentConfig of that name.
//
// Every object a name may resolve to in the cluster is asked for at once,
// and on every call, so Crossplane reads them all in one round and the
// requirements are the same on every call after: they settle in one
// iteration, whatever the number of names. A name that resolves to nothing
// is an error that says where it was looked for, never a silent skip.
func resolveBaseRefs(req *fnv1.RunFunctionRequest, oxr *resource.Composite, xrSpec map[string]any, cfg config.Config) (*baseConfigs, field.ErrorList, error) {
	b := &baseConfigs{selectors: map[string]*fnv1.ResourceSelector{}}
	refs, _ := xrSpec["baseRefs"].([]any)
	if len(refs) == 0 {
		return b, nil, nil
	}
	places := basePlaces(oxr, cfg)
	root := field.NewPath("spec", "baseRefs")
	var errs field.ErrorList
	for i, r := range refs {
		p := root.Index(i).Child("name")
		m, _ := r.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" {
			errs = append(errs, field.Required(p, "the name of a preset in the Function input, of an LLMInferenceServiceConfig or of an EnvironmentConfig"))
			continue
		}
		if frag, ok := cfg.Presets[name]; ok {
			b.layers = append(b.layers, config.Layer{Name: name, Source: config.SourceFunctionInput, Spec: frag})
			continue
		}
		l, state, err := b.find(req, name, places)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case state.pending:
			b.pending = true
			continue
		case state.problem != "":
			errs = append(errs, field.Invalid(p, name, state.problem))
			continue
		case !state.found:
			errs = append(errs, field.Invalid(p, name, notFound(places)))
			continue
		}
		b.layers = append(b.layers, l)
	}
	return b, errs, nil
}

// basePlaces are where a name is looked for in the cluster, in order.
func basePlaces(oxr *resource.Composite, cfg config.Config) []place {
	var out []place
	if !cfg.ServiceConfigs {
		return []place{{source: config.SourceEnvironmentConfig}}
	}
	// The namespace the service composes into: its own, a claim's for a
	// legacy XR made for one, else the input's. Without one the function
	// refuses the XR anyway, once the spec is decoded.
	meta := spec.Object{Name: oxr.Resource.GetName(), Namespace: oxr.Resource.GetNamespace(), Labels: oxr.Resource.GetLabels()}
	if who, err := spec.Decode(meta, map[string]any{}, cfg.Namespace); err == nil && who.Namespace != cfg.SystemNamespace {
		out = append(out, place{source: config.SourceLLMInferenceServiceConfig, namespace: who.Namespace})
	}
	return append(out,
		place{source: config.SourceLLMInferenceServiceConfig, namespace: cfg.SystemNamespace},
		place{source: config.SourceEnvironmentConfig})
}

// lookup is how far a name has resolved.
type lookup struct {
	// pending until Crossplane has read every object asked for.
	pending bool
	found   bool
	// problem is what is wrong with the object found.
	problem string
}

// find asks for every object name may resolve to and returns the layer of
// the first that exists, once Crossplane has read them all.
func (b *baseConfigs) find(req *fnv1.RunFunctionRequest, name string, places []place) (config.Layer, lookup, error) {
	var (
		st     lookup
		first  = -1
		object map[string]any
	)
	for i, pl := range places {
		key := pl.key(name)
		b.selectors[key] = pl.selector(name)
		got, ok, err := request.GetRequiredResource(req, key)
		if err != nil {
			return config.Layer{}, st, errors.Wrapf(err, errFmtReadBase, pl.describe(name))
		}
		if !ok {
			st.pending = true
			continue
		}
		// crossplane render matches required resources by kind and
		// name only: an object of another namespace is not this one.
		j := slices.IndexFunc(got, func(r resource.Required) bool { return r.Resource.GetNamespace() == pl.namespace })
		if first < 0 && j >= 0 {
			first, object = i, got[j].Resource.Object
		}
	}
	if st.pending || first < 0 {
		return config.Layer{}, st, nil
	}
	pl := places[first]
	l := config.Layer{Name: name, Namespace: pl.namespace, Source: pl.source}
	path := []string{"spec"}
	if pl.source == config.SourceEnvironmentConfig {
		path = []string{"data", "spec"}
	}
	// An intermediate that is not an object is no fragment either.
	v, found, _ := unstructured.NestedFieldNoCopy(object, path...)
	frag, isObject := v.(map[string]any)
	switch {
	case found && !isObject, !found && pl.source == config.SourceEnvironmentConfig:
		st.problem = pl.describe(name) + " has no object at " + strings.Join(path, ".") + ": put the LLMInferenceService spec fragment there"
		return l, st, nil
	case !found:
		// A config without a spec is an empty one, as in KServe.
		frag = map[string]any{}
	}
	l.Spec = frag
	st.found = true
	return l, st, nil
}

// notFound says where a name was looked for.
func notFound(places []place) string {
	var nss []string
	for _, pl := range places {
		if pl.source == config.SourceLLMInferenceServiceConfig {
			nss = append(nss, pl.namespace)
		}
	}
	if len(nss) == 0 {
		return "no such base configuration: the Function input has no preset of that name and there is no " + envConfigKind +
			" of that name (" + serviceConfigKind + "s are not looked for: the Function input's serviceConfigs is Disabled)"
	}
	return "no such base configuration: the Function input has no preset of that name, there is no " + serviceConfigKind +
		" of that name in namespace " + strings.Join(nss, " or ") + ", and no " + envConfigKind + " of that name"
}
