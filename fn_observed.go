package main

import (
	"maps"
	"slices"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	composedres "github.com/crossplane/function-sdk-go/resource/composed"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
)

// observedComposed reads the observed composed resources as
// request.GetObservedComposedResources does, but decodes of each object
// only the fields the status reads of its kind (status.ObservedFields),
// and none of its managedFields. Crossplane sends every composed object in
// full on every call; decoding pod templates and field managers nobody
// reads was the largest part of a steady-state call's garbage, which the
// collector then has to find among every cached plan.
// With all, every field is decoded (managedFields still left out), which
// TestObservedFields compares against.
func observedComposed(req *fnv1.RunFunctionRequest, all bool) map[resource.Name]resource.ObservedComposed {
	out := make(map[resource.Name]resource.ObservedComposed, len(req.GetObserved().GetResources()))
	for name, r := range req.GetObserved().GetResources() {
		fields := r.GetResource().GetFields()
		obj := make(map[string]any, 5)
		apiVersion, kind := fields["apiVersion"].GetStringValue(), fields["kind"].GetStringValue()
		read := status.ObservedFields(apiVersion, kind)
		if all {
			read = slices.Collect(maps.Keys(fields))
		}
		for _, f := range read {
			v, ok := fields[f]
			if !ok {
				continue
			}
			switch {
			case f == "metadata":
				obj[f] = metadataWithoutManagedFields(v.GetStructValue())
			case f == "spec" && !all && v.GetStructValue() != nil:
				obj[f] = specFields(v.GetStructValue(), status.ObservedSpec(apiVersion, kind))
			default:
				obj[f] = v.AsInterface()
			}
		}
		cd := composedres.New()
		cd.SetUnstructuredContent(obj)
		details := r.GetConnectionDetails()
		if details == nil {
			details = resource.ConnectionDetails{}
		}
		out[resource.Name(name)] = resource.ObservedComposed{Resource: cd, ConnectionDetails: details}
	}
	return out
}

// specFields is of an object's spec the fields read names, as a map, the
// items of a list cut to the fields read keeps of them (nil for all).
func specFields(spec *structpb.Struct, read map[string][]string) map[string]any {
	out := make(map[string]any, len(read))
	for k, keep := range read {
		v, ok := spec.GetFields()[k]
		if !ok {
			continue
		}
		l := v.GetListValue()
		if l == nil || keep == nil {
			out[k] = v.AsInterface()
			continue
		}
		list := make([]any, len(l.GetValues()))
		for i, it := range l.GetValues() {
			if s := it.GetStructValue(); s != nil {
				list[i] = structMap(s, func(f string) bool { return slices.Contains(keep, f) })
				continue
			}
			list[i] = it.AsInterface()
		}
		out[k] = list
	}
	return out
}

// metadataWithoutManagedFields is an object's metadata as a map, without
// managedFields.
func metadataWithoutManagedFields(md *structpb.Struct) map[string]any {
	return structMap(md, func(f string) bool { return f != "managedFields" })
}

// structMap is s as a map, of its fields those keep is true of.
func structMap(s *structpb.Struct, keep func(string) bool) map[string]any {
	out := make(map[string]any, len(s.GetFields()))
	for k, v := range s.GetFields() {
		if keep(k) {
			out[k] = v.AsInterface()
		}
	}
	return out
}
