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

	// pickerConfigSharedPrefix starts the names of the scheduler
	// configurations a platform shares from its own namespace, which
	// KServe falls back to.
	pickerConfigSharedPrefix = "config-scheduler-"
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
// the service's namespace, or, for a config-scheduler-* name it lacks, in
// the platform's. A ConfigMap or key that does not exist is a field error:
// the picker would not start without it.
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
	// KServe falls back to its own namespace for its well-known scheduler
	// configurations: a ref named config-scheduler-* that the service's
	// namespace lacks is read from the platform's.
	namespaces := []string{who.Namespace}
	if strings.HasPrefix(name, pickerConfigSharedPrefix) && cfg.SystemNamespace != who.Namespace {
		namespaces = append(namespaces, cfg.SystemNamespace)
	}
	var found *resource.Required
	for _, ns := range namespaces {
		rk := "picker-config/" + ns + "/" + name
		out.selectors[rk] = &fnv1.ResourceSelector{
			ApiVersion: "v1",
			Kind:       "ConfigMap",
			Match:      &fnv1.ResourceSelector_MatchName{MatchName: name},
			Namespace:  ptr.To(ns),
		}
		got, ok, err := request.GetRequiredResource(req, rk)
		if err != nil {
			return nil, nil, errors.Wrapf(err, "cannot read ConfigMap %s/%s", ns, name)
		}
		if !ok {
			out.pending = true
			continue
		}
		// crossplane render matches required resources by kind and name only.
		if j := slices.IndexFunc(got, func(r resource.Required) bool { return r.Resource.GetNamespace() == ns }); j >= 0 && found == nil {
			found = &got[j]
		}
	}
	if out.pending {
		return out, nil, nil
	}
	p := field.NewPath("spec", "router", "scheduler", "config", "ref")
	if found == nil {
		where := "namespace " + who.Namespace
		if len(namespaces) > 1 {
			where = "namespace " + who.Namespace + " nor, for a " + pickerConfigSharedPrefix + " name, in the platform's namespace " + cfg.SystemNamespace
		}
		return nil, field.ErrorList{field.Invalid(p.Child("name"), name,
			"no ConfigMap of that name in "+where+": create it with the EndpointPickerConfig under key "+key)}, nil
	}
	at := found.Resource.GetNamespace() + "/" + name
	data, _, _ := unstructured.NestedStringMap(found.Resource.Object, "data")
	text, ok := data[key]
	if !ok {
		return nil, field.ErrorList{field.Invalid(p.Child("key"), key, "ConfigMap "+at+" has no such key (it has: "+
			strings.Join(slices.Sorted(maps.Keys(data)), ", ")+"): put the EndpointPickerConfig under it, or name the key that holds it")}, nil
	}
	out.text = text
	return out, nil, nil
}
