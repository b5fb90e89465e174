package validate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Names of the OpenAPI component schemas that need special treatment because
// their JSON form is not what their OpenAPI schema says (they have custom
// marshalling in Go), or because we use them as markers.
const (
	refPrefix = "#/components/schemas/"

	schemaIntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	schemaQuantity    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	schemaObjectMeta  = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
)

// Keys of an OpenAPI schema that play no part in validation. Defaults are
// dropped because the API server applies Go defaulting functions to built-in
// kinds, not these (mostly zero-value) OpenAPI defaults; without them
// PruneNonNullableNullsWithoutDefaults drops every null, as Go decoding does.
var ignoredSchemaKeys = map[string]bool{
	"description":                     true,
	"default":                         true,
	"example":                         true,
	"externalDocs":                    true,
	"x-kubernetes-group-version-kind": true,
	"x-kubernetes-patch-strategy":     true,
	"x-kubernetes-patch-merge-key":    true,
	"x-kubernetes-unions":             true,
}

// builtinDocs are the OpenAPI v3 documents of the built-in group-versions,
// each read and indexed the first time a kind of its group-version is looked
// up: there are about 60 of them, 11 MB in all, and a test needs a few.
type builtinDocs struct {
	source string // k8s.io/kubernetes@version, for messages
	docs   map[schema.GroupVersion]*builtinDoc
}

// builtinDoc is one OpenAPI v3 document, e.g. apis__apps__v1_openapi.json.
type builtinDoc struct {
	gv   schema.GroupVersion
	path string

	once  sync.Once
	kinds map[string]*kindSchema
	err   error
}

// newBuiltinDocs lists the OpenAPI v3 documents of a k8s.io/kubernetes module
// directory.
func newBuiltinDocs(moduleDir, source string) (*builtinDocs, error) {
	dir := filepath.Join(moduleDir, openAPIDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the OpenAPI v3 documents of %s: %w", source, err)
	}
	b := &builtinDocs{source: source, docs: map[schema.GroupVersion]*builtinDoc{}}
	for _, e := range entries {
		gv, ok := groupVersionOfDocument(e.Name())
		if !ok {
			continue
		}
		b.docs[gv] = &builtinDoc{gv: gv, path: filepath.Join(dir, e.Name())}
	}
	if len(b.docs) == 0 {
		return nil, fmt.Errorf("no OpenAPI v3 group-version documents in %s", dir)
	}
	return b, nil
}

// groupVersionOfDocument parses the file names Kubernetes gives its OpenAPI v3
// documents: api__v1_openapi.json for the core group, and
// apis__<group>__<version>_openapi.json for the others. Group documents
// without a version (apis__apps_openapi.json) only list versions.
func groupVersionOfDocument(name string) (schema.GroupVersion, bool) {
	base, ok := strings.CutSuffix(name, "_openapi.json")
	if !ok {
		return schema.GroupVersion{}, false
	}
	parts := strings.Split(base, "__")
	switch {
	case len(parts) == 2 && parts[0] == "api":
		return schema.GroupVersion{Version: parts[1]}, true
	case len(parts) == 3 && parts[0] == "apis":
		return schema.GroupVersion{Group: parts[1], Version: parts[2]}, true
	}
	return schema.GroupVersion{}, false
}

// lookup returns the schema of a built-in kind, or nil if there is none.
func (b *builtinDocs) lookup(gvk schema.GroupVersionKind) (*kindSchema, error) {
	d, ok := b.docs[gvk.GroupVersion()]
	if !ok {
		return nil, nil
	}
	kinds, err := d.load(b.source)
	if err != nil {
		return nil, err
	}
	return kinds[gvk.Kind], nil
}

// all returns every built-in kind, loading every document.
func (b *builtinDocs) all() ([]*kindSchema, error) {
	var out []*kindSchema
	for _, d := range b.docs {
		kinds, err := d.load(b.source)
		if err != nil {
			return nil, err
		}
		for _, k := range kinds {
			out = append(out, k)
		}
	}
	return out, nil
}

// openAPIDocument is the part of an OpenAPI v3 document we read.
type openAPIDocument struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
}

// operation is the part of an OpenAPI operation we read: Kubernetes tags each
// one with what it does and to which kind.
type operation struct {
	Action string        `json:"x-kubernetes-action"`
	GVK    *gvkExtension `json:"x-kubernetes-group-version-kind"`
}

type gvkExtension struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// load reads and indexes the document once. Schemas are only resolved and
// compiled when a kind is first validated.
func (d *builtinDoc) load(source string) (map[string]*kindSchema, error) {
	d.once.Do(func() {
		d.kinds, d.err = d.read(source)
	})
	return d.kinds, d.err
}

func (d *builtinDoc) read(source string) (map[string]*kindSchema, error) { //nolint:gocognit // Reads, resolves and indexes one OpenAPI document: one pass, in order.
	raw, err := os.ReadFile(d.path)
	if err != nil {
		return nil, fmt.Errorf("cannot read OpenAPI document %q: %w", d.path, err)
	}
	doc := &openAPIDocument{}
	if err := json.Unmarshal(raw, doc); err != nil {
		return nil, fmt.Errorf("cannot parse OpenAPI document %q: %w", d.path, err)
	}

	// The component schema of each kind is tagged with its group, version
	// and kind. Kinds like DeleteOptions are tagged with every group-version
	// they're served in.
	schemaOf := map[string]string{}
	for name, s := range doc.Components.Schemas {
		tags, _ := s["x-kubernetes-group-version-kind"].([]any)
		for _, t := range tags {
			b, _ := json.Marshal(t)
			g := gvkExtension{}
			if err := json.Unmarshal(b, &g); err != nil {
				continue
			}
			if g.Group == d.gv.Group && g.Version == d.gv.Version {
				schemaOf[g.Kind] = name
			}
		}
	}

	// Only kinds that can be created have a collection path with a "post"
	// operation, and that path says whether they're namespaced. Kinds
	// without one (Status, Scale, WatchEvent, ...) are not objects anyone
	// composes, so they're left unknown rather than half-checked.
	prefix := "/apis/" + d.gv.Group + "/" + d.gv.Version + "/"
	if d.gv.Group == "" {
		prefix = "/api/" + d.gv.Version + "/"
	}
	kinds := map[string]*kindSchema{}
	for p, item := range doc.Paths {
		rawPost, ok := item["post"]
		if !ok {
			continue
		}
		op := operation{}
		if err := json.Unmarshal(rawPost, &op); err != nil {
			return nil, fmt.Errorf("cannot parse operation POST %s in %q: %w", p, d.path, err)
		}
		if op.Action != "post" || op.GVK == nil || op.GVK.Group != d.gv.Group || op.GVK.Version != d.gv.Version {
			continue
		}
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		segments := strings.Split(rest, "/")
		var namespaced bool
		switch {
		case len(segments) == 1:
			namespaced = false
		case len(segments) == 3 && segments[0] == "namespaces" && segments[1] == "{namespace}":
			namespaced = true
		default:
			// A subresource, like pods/{name}/binding.
			continue
		}
		name, ok := schemaOf[op.GVK.Kind]
		if !ok {
			return nil, fmt.Errorf("OpenAPI document %q has no component schema for %s", d.path, op.GVK)
		}
		_, hasStatus := doc.Paths[p+"/{name}/status"]
		gvk := d.gv.WithKind(op.GVK.Kind)
		r := &resolver{schemas: doc.Components.Schemas, memo: map[string]map[string]any{}}
		kinds[gvk.Kind] = &kindSchema{
			gvk:        gvk,
			namespaced: namespaced,
			hasStatus:  hasStatus,
			builtin:    true,
			source:     fmt.Sprintf("%s %s/%s#%s", source, openAPIDir, filepath.Base(d.path), name),
			nameFn:     nameValidatorFor(gvk.GroupKind()),
			compileFn: func() (*compiledSchema, error) {
				props, err := r.jsonSchemaProps(name)
				if err != nil {
					return nil, fmt.Errorf("cannot resolve schema %q: %w", name, err)
				}
				return compileBuiltin(props)
			},
		}
	}
	return kinds, nil
}

// A resolver turns the component schema of a kind into one self-contained
// schema, the form CRDs use, so that the API server's CRD machinery
// (structural schemas, pruning, kube-openapi validation) can check built-in
// kinds too.
type resolver struct {
	schemas map[string]map[string]any
	memo    map[string]map[string]any
}

// jsonSchemaProps resolves the named component schema and converts it into
// the apiextensions internal type the validators take.
func (r *resolver) jsonSchemaProps(name string) (*apiextensionsinternal.JSONSchemaProps, error) {
	resolved, _, err := r.resolveRef(name, map[string]bool{})
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(resolved)
	if err != nil {
		return nil, fmt.Errorf("cannot marshal resolved schema: %w", err)
	}
	v1 := &apiextensionsv1.JSONSchemaProps{}
	if err := json.Unmarshal(raw, v1); err != nil {
		return nil, fmt.Errorf("cannot convert resolved schema to JSONSchemaProps: %w", err)
	}
	internal := &apiextensionsinternal.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, internal, nil); err != nil {
		return nil, fmt.Errorf("cannot convert JSONSchemaProps to the internal version: %w", err)
	}
	return internal, nil
}

// resolveRef returns the resolved schema named name. cyclic reports whether a
// reference cycle was cut somewhere below, in which case the result depends
// on the path taken and must not be memoised.
func (r *resolver) resolveRef(name string, stack map[string]bool) (resolved map[string]any, cyclic bool, err error) {
	if m, ok := r.memo[name]; ok {
		return m, false, nil
	}
	switch name {
	case schemaIntOrString:
		// The API server decodes IntOrString from a JSON integer or
		// string; x-kubernetes-int-or-string is how CRDs say that.
		return map[string]any{
			"x-kubernetes-int-or-string": true,
			"anyOf":                      []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}},
		}, false, nil
	case schemaQuantity:
		// The API server decodes a Quantity from a JSON number or from a
		// string in its canonical syntax, and rejects anything else.
		return map[string]any{
			"oneOf": []any{
				map[string]any{"type": "string", "format": formatQuantity},
				map[string]any{"type": "number"},
			},
		}, false, nil
	}
	if stack[name] {
		// Only apiextensions' JSONSchemaProps is recursive. Accept anything
		// below the cycle rather than recurse forever.
		return map[string]any{"x-kubernetes-preserve-unknown-fields": true}, true, nil
	}
	s, ok := r.schemas[name]
	if !ok {
		return nil, false, fmt.Errorf("reference to unknown schema %q", name)
	}
	stack[name] = true
	defer delete(stack, name)

	resolved, cyclic, err = r.resolve(s, stack)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", name, err)
	}
	if name == schemaObjectMeta {
		// Mark ObjectMeta so that embedded ObjectMetas (pod templates)
		// get their labels and annotations checked, as native validation
		// does. Structural schemas keep the title.
		resolved["title"] = schemaObjectMeta
	}
	if !cyclic {
		r.memo[name] = resolved
	}
	return resolved, cyclic, nil
}

// resolve returns a copy of schema s with every $ref replaced by the schema
// it names. Memoised schemas are shared between parents: nothing modifies a
// resolved schema after it is returned, except resolveRef's title, which it
// sets before memoising.
func (r *resolver) resolve(s map[string]any, stack map[string]bool) (map[string]any, bool, error) { //nolint:gocognit // One walk over every keyword of a JSON schema that can hold a schema.
	// Kubernetes wraps a reference in allOf when it has siblings, e.g.
	// {"allOf": [{"$ref": ...}], "x-kubernetes-list-type": "atomic"}.
	if ref, ok := singleRef(s); ok {
		target, cyclic, err := r.resolveRef(ref, stack)
		if err != nil {
			return nil, false, err
		}
		out := make(map[string]any, len(target)+len(s))
		for k, v := range target {
			out[k] = v
		}
		for k, v := range s {
			if k == "allOf" || k == "$ref" || ignoredSchemaKeys[k] {
				continue
			}
			out[k] = v
		}
		return out, cyclic, nil
	}

	out := make(map[string]any, len(s))
	anyCyclic := false
	for k, v := range s {
		if ignoredSchemaKeys[k] {
			continue
		}
		switch k {
		case "properties":
			props, _ := v.(map[string]any)
			rp := make(map[string]any, len(props))
			for pk, pv := range props {
				ps, ok := pv.(map[string]any)
				if !ok {
					return nil, false, fmt.Errorf("property %q is not a schema", pk)
				}
				resolved, cyclic, err := r.resolve(ps, stack)
				if err != nil {
					return nil, false, fmt.Errorf("properties.%s: %w", pk, err)
				}
				anyCyclic = anyCyclic || cyclic
				rp[pk] = resolved
			}
			out[k] = rp
		case "items", "additionalProperties", "not":
			sub, ok := v.(map[string]any)
			if !ok {
				// additionalProperties may be a boolean.
				out[k] = v
				continue
			}
			resolved, cyclic, err := r.resolve(sub, stack)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %w", k, err)
			}
			anyCyclic = anyCyclic || cyclic
			out[k] = resolved
		case "allOf", "anyOf", "oneOf":
			subs, _ := v.([]any)
			rs := make([]any, 0, len(subs))
			for i, sv := range subs {
				sub, ok := sv.(map[string]any)
				if !ok {
					return nil, false, fmt.Errorf("%s[%d] is not a schema", k, i)
				}
				resolved, cyclic, err := r.resolve(sub, stack)
				if err != nil {
					return nil, false, fmt.Errorf("%s[%d]: %w", k, i, err)
				}
				anyCyclic = anyCyclic || cyclic
				rs = append(rs, resolved)
			}
			out[k] = rs
		default:
			out[k] = v
		}
	}

	switch {
	case out["format"] == "int-or-string":
		// Same as IntOrString, for a schema that inlines it.
		delete(out, "format")
		delete(out, "oneOf")
		delete(out, "type")
		out["x-kubernetes-int-or-string"] = true
		out["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	case out["type"] == "object" && out["properties"] == nil && out["additionalProperties"] == nil:
		// RawExtension, FieldsV1 and friends hold arbitrary JSON; a
		// structural schema says so with x-kubernetes-preserve-unknown-fields,
		// or pruning would report all of it as unknown.
		out["x-kubernetes-preserve-unknown-fields"] = true
	case out["type"] == nil && out["anyOf"] == nil && out["oneOf"] == nil && out["allOf"] == nil && out["x-kubernetes-int-or-string"] == nil:
		// Untyped: apiextensions' JSON, which is any JSON value.
		out["x-kubernetes-preserve-unknown-fields"] = true
	}
	return out, anyCyclic, nil
}

// singleRef reports the referenced schema name of {"$ref": ...} or
// {"allOf": [{"$ref": ...}], ...siblings}.
func singleRef(s map[string]any) (string, bool) {
	if ref, ok := s["$ref"].(string); ok {
		name, ok := strings.CutPrefix(ref, refPrefix)
		return name, ok
	}
	all, ok := s["allOf"].([]any)
	if !ok || len(all) != 1 {
		return "", false
	}
	only, ok := all[0].(map[string]any)
	if !ok || len(only) != 1 {
		return "", false
	}
	ref, ok := only["$ref"].(string)
	if !ok {
		return "", false
	}
	name, ok := strings.CutPrefix(ref, refPrefix)
	return name, ok
}

// sortedKinds is used for stable listings.
func sortedKinds(ks []*kindSchema) []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(ks))
	for _, k := range ks {
		out = append(out, k.gvk)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
