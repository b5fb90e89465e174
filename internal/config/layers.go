package config

import (
	"fmt"
	"sort"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Source says where a configuration layer came from.
type Source string

// Sources of configuration layers, lowest precedence first.
const (
	// SourceBuiltIn is a preset compiled into the function.
	SourceBuiltIn Source = "BuiltIn"
	// SourceFunctionInput is a named preset in the Composition's Function
	// input.
	SourceFunctionInput Source = "FunctionInput"
	// SourceLLMInferenceServiceConfig is the spec of KServe's
	// LLMInferenceServiceConfig, read from the service's namespace or the
	// platform's.
	SourceLLMInferenceServiceConfig Source = "LLMInferenceServiceConfig"
	// SourceEnvironmentConfig is an EnvironmentConfig's data.spec.
	SourceEnvironmentConfig Source = "EnvironmentConfig"
	// SourceSpec is the XR's own spec.
	SourceSpec Source = "Spec"
)

const errFmtMerge = "cannot merge %s %q over the layers below it"

// A Layer is one spec fragment in the merge, and where it came from: its
// source, name and, for one read from a namespace, the namespace, so that
// the status can say which object was applied and errors can name it.
type Layer struct {
	Name string
	// Namespace is where a namespaced object the layer was read from
	// lives: an LLMInferenceServiceConfig's. Empty for the other sources,
	// which are cluster scoped (EnvironmentConfigs) or not read from the
	// cluster at all.
	Namespace string
	Source    Source
	// Spec is a fragment of an LLMInferenceService spec.
	Spec map[string]any
}

// path is where a user finds the layer's fields, for messages.
func (l Layer) path() *field.Path {
	switch {
	case l.Source == SourceSpec:
		return field.NewPath("spec")
	case l.Source == SourceEnvironmentConfig:
		return field.NewPath("environmentConfigs").Key(l.Name).Child("data", "spec")
	case l.Source == SourceLLMInferenceServiceConfig:
		return field.NewPath("llmInferenceServiceConfigs").Key(l.Namespace + "/" + l.Name).Child("spec")
	case l.Source == SourceFunctionInput && l.Name == LayerFunctionInput:
		return field.NewPath("input")
	case l.Source == SourceFunctionInput:
		return field.NewPath("input", "presets").Key(l.Name)
	default:
		return field.NewPath("presets").Key(l.Name)
	}
}

// title names the object the layer came from, for messages.
func (l Layer) title() string {
	switch l.Source {
	case SourceLLMInferenceServiceConfig:
		return "LLMInferenceServiceConfig " + l.Namespace + "/" + l.Name
	case SourceEnvironmentConfig:
		return "EnvironmentConfig " + l.Name
	case SourceFunctionInput:
		return "the Function input's preset " + l.Name
	case SourceBuiltIn:
		return "the built-in preset " + l.Name
	default:
		return "the spec of " + l.Name
	}
}

// checkBase applies KServe's rule for base configurations to a layer below
// the XR's spec: it may not name base configurations itself. KServe's
// webhook refuses a config with spec.baseRefs ("support for recursive refs
// has been disabled"); here a base that names others would otherwise be
// merged with its baseRefs silently ignored.
func checkBase(l Layer) field.ErrorList {
	if l.Source == SourceSpec {
		return nil
	}
	if _, ok := l.Spec["baseRefs"]; !ok {
		return nil
	}
	return field.ErrorList{field.Forbidden(l.path().Child("baseRefs"),
		l.title()+" names base configurations itself, and references do not nest (nor do they in KServe): name every base configuration in the service's spec.baseRefs")}
}

// specPatchMeta tells the strategic merge how each list of the spec merges:
// the patchMergeKey tags of the Kubernetes types it embeds (containers, init
// containers, env and volumes by name, volume mounts by path, ports by
// number). Lists without one (args, command, HTTPRoute rules) are replaced.
var specPatchMeta = func() strategicpatch.LookupPatchMeta {
	m, err := strategicpatch.NewPatchMetaFromStruct(spec.LLMInferenceServiceSpec{})
	if err != nil {
		panic(err) // The spec type is fixed at compile time.
	}
	return m
}()

// Merge merges layers, lowest precedence first, with Kubernetes
// strategic-merge semantics. Layers are maps as written, so a value a
// higher layer sets explicitly wins even when it is zero or false (unlike
// KServe, whose typed merge drops `expert: false`, kserve/kserve#5439); maps
// merge by key; scalars and lists without a merge key come from the higher
// layer. The layers are not modified.
func Merge(layers []Layer) (map[string]any, error) {
	merged := map[string]any{}
	for _, l := range layers {
		if l.Spec == nil {
			continue
		}
		patch := runtime.DeepCopyJSON(l.Spec)
		// The strategic merge writes into the map it merges into; keep the
		// lower layers as they were to order the result by them.
		lower := runtime.DeepCopyJSON(merged)
		out, err := strategicpatch.StrategicMergeMapPatchUsingLookupPatchMeta(merged, patch, specPatchMeta)
		if err != nil {
			return nil, errors.Wrapf(err, errFmtMerge, l.Source, l.Name)
		}
		lowerFirst(out, lower, specPatchMeta)
		merged = out
	}
	return merged, nil
}

// lowerFirst reorders the lists the strategic merge merged by key so the
// lower layer's entries come first, in its order, and the higher layer's
// new entries after them. The strategic merge puts new entries first when
// the layers share none; an env var a user adds that refers to a base's
// with $(VAR) must come after it for Kubernetes to expand it, and a base's
// containers and volumes reading first is what a user expects.
func lowerFirst(merged, lower map[string]any, meta strategicpatch.LookupPatchMeta) {
	for k, v := range merged {
		switch mv := v.(type) {
		case map[string]any:
			lv, ok := lower[k].(map[string]any)
			if !ok {
				continue
			}
			sub, _, err := meta.LookupPatchMetadataForStruct(k)
			if err != nil {
				continue // Not in the spec's types: nothing to order by.
			}
			lowerFirst(mv, lv, sub)
		case []any:
			lv, ok := lower[k].([]any)
			if !ok {
				continue
			}
			sub, pm, err := meta.LookupPatchMetadataForSlice(k)
			if err != nil || pm.GetPatchMergeKey() == "" {
				continue // Replaced wholesale: the higher layer's order.
			}
			merged[k] = orderByLower(mv, lv, pm.GetPatchMergeKey(), sub)
		}
	}
}

// orderByLower returns merged with the entries whose merge key the lower
// list has first, in the lower list's order, then the rest in merged order,
// and orders the lists inside matching entries the same way.
func orderByLower(merged, lower []any, key string, meta strategicpatch.LookupPatchMeta) []any {
	keyOf := func(e any) (string, bool) {
		m, ok := e.(map[string]any)
		if !ok || m[key] == nil {
			return "", false
		}
		return fmt.Sprint(m[key]), true
	}
	pos := make(map[string]int, len(lower))
	byKey := make(map[string]map[string]any, len(lower))
	for i, e := range lower {
		if k, ok := keyOf(e); ok {
			pos[k] = i
			byKey[k], _ = e.(map[string]any)
		}
	}
	var fromLower, added []any
	for _, e := range merged {
		k, ok := keyOf(e)
		if _, inLower := pos[k]; ok && inLower {
			lowerFirst(e.(map[string]any), byKey[k], meta)
			fromLower = append(fromLower, e)
			continue
		}
		added = append(added, e)
	}
	sort.SliceStable(fromLower, func(i, j int) bool {
		ki, _ := keyOf(fromLower[i])
		kj, _ := keyOf(fromLower[j])
		return pos[ki] < pos[kj]
	})
	return append(fromLower, added...)
}
