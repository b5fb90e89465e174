package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// checkLayer checks that a spec fragment has the shape the merge relies
// on, with a field path a user can act on: objects where the spec has
// objects, lists where it has lists, and every entry of a list merged by key
// (containers, env, volumes, ports, ...) carrying its key. It also refuses
// strategic-merge directives ($patch, $retainKeys, ...): they are not part
// of the API, and would let a layer silently strip what the function relies
// on. Unknown fields are left to decoding, which reports them.
func checkLayer(frag map[string]any, root *field.Path) field.ErrorList {
	return checkMap(frag, root, specPatchMeta)
}

func checkMap(m map[string]any, p *field.Path, meta strategicpatch.LookupPatchMeta) field.ErrorList { //nolint:gocognit // One case per Go kind of the spec's fields: clearer side by side.
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		kp := p.Child(k)
		if strings.HasPrefix(k, "$") {
			errs = append(errs, field.Forbidden(kp, "strategic-merge directives are not part of the API; to remove what a lower layer sets, set the field to null"))
			continue
		}
		if v == nil {
			continue // null removes what a lower layer set.
		}
		kind, ok := fieldKind(meta, k)
		if !ok {
			continue
		}
		switch kind {
		case reflect.Struct, reflect.Map:
			sub, isMap := v.(map[string]any)
			if !isMap {
				errs = append(errs, field.Invalid(kp, v, "must be an object"))
				continue
			}
			if kind == reflect.Struct {
				if subMeta, _, err := meta.LookupPatchMetadataForStruct(k); err == nil {
					errs = append(errs, checkMap(sub, kp, subMeta)...)
				}
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if !isInteger(v) {
				errs = append(errs, field.Invalid(kp, v, "must be an integer"))
			}
		case reflect.String:
			if _, ok := v.(string); !ok {
				errs = append(errs, field.Invalid(kp, v, "must be a string"))
			}
		case reflect.Bool:
			if _, ok := v.(bool); !ok {
				errs = append(errs, field.Invalid(kp, v, "must be true or false"))
			}
		case reflect.Slice:
			list, isList := v.([]any)
			if !isList {
				errs = append(errs, field.Invalid(kp, v, "must be a list"))
				continue
			}
			errs = append(errs, checkList(list, kp, meta, k)...)
		}
	}
	return errs
}

func checkList(list []any, p *field.Path, meta strategicpatch.LookupPatchMeta, key string) field.ErrorList {
	sub, pm, err := meta.LookupPatchMetadataForSlice(key)
	if err != nil {
		return nil
	}
	elem := sub.(strategicpatch.PatchMetaFromStruct).T
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if elem.Kind() != reflect.Struct {
		return nil
	}
	var errs field.ErrorList
	mergeKey := pm.GetPatchMergeKey()
	for i, e := range list {
		ip := p.Index(i)
		m, ok := e.(map[string]any)
		if !ok {
			errs = append(errs, field.Invalid(ip, e, "must be an object"))
			continue
		}
		if mergeKey != "" {
			if v, ok := m[mergeKey]; !ok || v == nil || v == "" {
				errs = append(errs, field.Required(ip.Child(mergeKey), fmt.Sprintf("entries of %s are merged across layers of configuration by %s", key, mergeKey)))
			}
		}
		errs = append(errs, checkMap(m, ip, sub)...)
	}
	return errs
}

// fieldKind is the Go kind of field k of the struct meta describes, false
// when the struct has no such field (an unknown field, or an embedded type
// without patch metadata such as runtime.RawExtension).
func fieldKind(meta strategicpatch.LookupPatchMeta, k string) (reflect.Kind, bool) {
	sub, _, err := meta.LookupPatchMetadataForStruct(k)
	if err != nil {
		return 0, false
	}
	ps, ok := sub.(strategicpatch.PatchMetaFromStruct)
	if !ok || ps.T == nil {
		return 0, false
	}
	t := ps.T
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// Types that marshal to strings or numbers (quantities, durations,
	// int-or-string) are not checked here.
	if t.Implements(reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }]()) ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ MarshalJSON() ([]byte, error) }]()) {
		return 0, false
	}
	return t.Kind(), true
}

// isInteger is true for a JSON number without a fraction.
func isInteger(v any) bool {
	switch n := v.(type) {
	case int, int32, int64:
		return true
	case float64:
		return n == float64(int64(n))
	default:
		return false
	}
}
