package main

import (
	"maps"
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

const (
	errPickerConfigRef = "cannot read the endpoint picker configuration spec.router.scheduler.config.ref names"

	// pickerConfigRefDefaultKey is the key of the ConfigMap read when the
	// ref names none, as KServe documents it.
	pickerConfigRefDefaultKey = "epp"
)

// pickerConfigRef is the EndpointPickerConfig of the ConfigMap
// spec.router.scheduler.config.ref names. The function reads it, as a
// required resource, so that the plugins it uses compose what they need
// (KV events, the tokenizer, the latency predictor) as they do inline;
// KServe only warns about a ref.
type pickerConfigRef struct {
	// text of the ConfigMap's key; "" without a ref.
	text string
	// selectors ask Crossplane for the ConfigMap.
	selectors map[string]*fnv1.ResourceSelector
	// pending is true until Crossplane has read it.
	pending bool
}

// readPickerConfigRef reads the ConfigMap the merged layers' ref names, in
// the service's namespace. A ConfigMap or key that does not exist is a
// field error: the picker would not start without it.
func readPickerConfigRef(req *fnv1.RunFunctionRequest, oxr *resource.Composite, xrSpec map[string]any, bases []config.Layer, cfg config.Config) (*pickerConfigRef, field.ErrorList, error) {
	out := &pickerConfigRef{selectors: map[string]*fnv1.ResourceSelector{}}
	merged, err := config.Merge(append(slices.Clone(bases), config.Layer{Spec: xrSpec}))
	if err != nil {
		return nil, nil, errors.Wrap(err, errLayers)
	}
	if _, poolRef, _ := unstructured.NestedMap(merged, "router", "scheduler", "pool", "ref"); poolRef {
		return out, nil, nil // No picker is composed.
	}
	name, _, _ := unstructured.NestedString(merged, "router", "scheduler", "config", "ref", "name")
	if name == "" {
		return out, nil, nil // None, or spec.Validate's to refuse.
	}
	key, _, _ := unstructured.NestedString(merged, "router", "scheduler", "config", "ref", "key")
	if key == "" {
		key = pickerConfigRefDefaultKey
	}
	meta := spec.Object{Name: oxr.Resource.GetName(), Namespace: oxr.Resource.GetNamespace(), Labels: oxr.Resource.GetLabels()}
	who, err := spec.Decode(meta, map[string]any{}, cfg.Namespace)
	if err != nil {
		return out, nil, nil //nolint:nilerr // The plan refuses an XR without a namespace.
	}
	rk := "picker-config/" + who.Namespace + "/" + name
	out.selectors[rk] = &fnv1.ResourceSelector{
		ApiVersion: "v1",
		Kind:       "ConfigMap",
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: name},
		Namespace:  ptr.To(who.Namespace),
	}
	got, ok, err := request.GetRequiredResource(req, rk)
	if err != nil {
		return nil, nil, errors.Wrapf(err, "cannot read ConfigMap %s/%s", who.Namespace, name)
	}
	if !ok {
		out.pending = true
		return out, nil, nil
	}
	p := field.NewPath("spec", "router", "scheduler", "config", "ref")
	// crossplane render matches required resources by kind and name only.
	j := slices.IndexFunc(got, func(r resource.Required) bool { return r.Resource.GetNamespace() == who.Namespace })
	if j < 0 {
		return nil, field.ErrorList{field.Invalid(p.Child("name"), name,
			"no ConfigMap of that name in namespace "+who.Namespace+": create it with the EndpointPickerConfig under key "+key)}, nil
	}
	data, _, _ := unstructured.NestedStringMap(got[j].Resource.Object, "data")
	text, ok := data[key]
	if !ok {
		return nil, field.ErrorList{field.Invalid(p.Child("key"), key, "ConfigMap "+who.Namespace+"/"+name+" has no such key (it has: "+
			strings.Join(slices.Sorted(maps.Keys(data)), ", ")+"): put the EndpointPickerConfig under it, or name the key that holds it")}, nil
	}
	out.text = text
	return out, nil, nil
}
