package main

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// EnvironmentConfigs hold base configurations a platform team manages
// outside the Composition: data.spec is the spec fragment.
const (
	envConfigAPIVersion = "apiextensions.crossplane.io/v1beta1"
	envConfigKind       = "EnvironmentConfig"
)

// baseConfigs are the layers spec.baseRefs names, resolved.
type baseConfigs struct {
	// layers in the order named, lowest precedence first.
	layers []config.Layer
	// selectors ask Crossplane for the EnvironmentConfigs named.
	selectors map[string]*fnv1.ResourceSelector
	// pending is true until Crossplane has read every EnvironmentConfig
	// asked for: the function then answers with its requirements only,
	// since composing without a base would compose something else.
	pending bool
}

// resolveBaseRefs resolves each spec.baseRefs name to the Function input's
// preset of that name, else to the EnvironmentConfig of that name. A name
// that resolves to neither is an error naming it, never a silent skip.
func resolveBaseRefs(req *fnv1.RunFunctionRequest, spec map[string]any, cfg config.Config) (*baseConfigs, field.ErrorList, error) {
	b := &baseConfigs{selectors: map[string]*fnv1.ResourceSelector{}}
	refs, _ := spec["baseRefs"].([]any)
	root := field.NewPath("spec", "baseRefs")
	var errs field.ErrorList
	for i, r := range refs {
		p := root.Index(i).Child("name")
		m, _ := r.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" {
			errs = append(errs, field.Required(p, "the name of a preset in the Function input or of an EnvironmentConfig"))
			continue
		}
		if frag, ok := cfg.Presets[name]; ok {
			b.layers = append(b.layers, config.Layer{Name: name, Source: config.SourceFunctionInput, Spec: frag})
			continue
		}
		key := "environmentconfig/" + name
		b.selectors[key] = &fnv1.ResourceSelector{
			ApiVersion: envConfigAPIVersion,
			Kind:       envConfigKind,
			Match:      &fnv1.ResourceSelector_MatchName{MatchName: name},
		}
		got, ok, err := request.GetRequiredResource(req, key)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "cannot read EnvironmentConfig %q", name)
		}
		if !ok {
			b.pending = true
			continue
		}
		if len(got) == 0 {
			errs = append(errs, field.Invalid(p, name, "no such base configuration: the Function input has no preset of that name and there is no EnvironmentConfig of that name"))
			continue
		}
		frag, found, err := unstructured.NestedMap(got[0].Resource.Object, "data", "spec")
		if err != nil || !found {
			errs = append(errs, field.Invalid(p, name, "EnvironmentConfig "+name+" has no object at data.spec: put the LLMInferenceService spec fragment there"))
			continue
		}
		if _, ok := frag["baseRefs"]; ok {
			errs = append(errs, field.Forbidden(p, "EnvironmentConfig "+name+" names base configurations itself (data.spec.baseRefs); references do not nest"))
			continue
		}
		b.layers = append(b.layers, config.Layer{Name: name, Source: config.SourceEnvironmentConfig, Spec: frag})
	}
	return b, errs, nil
}
