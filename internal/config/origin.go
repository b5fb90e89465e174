package config

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Attribute names, in each error about a field of the resolved spec, the
// layer the field's value came from when that is not the XR's own spec:
// the highest layer that sets it. Errors are found on the merged spec, so
// without this a user whose base configuration holds the offending value
// would be pointed at a field their spec does not have. errs is not
// modified.
func Attribute(layers []Layer, errs field.ErrorList) field.ErrorList {
	out := make(field.ErrorList, len(errs))
	for i, e := range errs {
		out[i] = e
		rest, ok := strings.CutPrefix(e.Field, "spec.")
		if !ok {
			continue
		}
		l, p, ok := origin(layers, parsePath(rest))
		if !ok || l.Source == SourceSpec {
			continue
		}
		c := *e
		c.Detail = strings.TrimSpace(c.Detail + " (" + describe(l, p) + ")")
		out[i] = &c
	}
	return out
}

// describe says where a value of layer l, at p within it, is written.
func describe(l Layer, p *field.Path) string {
	switch {
	case l.Source == SourceBuiltIn:
		return "from the function's built-in preset " + l.Name
	case l.Source == SourceFunctionInput && l.Name == LayerFunctionInput:
		return "from the defaults of the Composition's Function input"
	default:
		return "from base configuration " + l.Name + ", at " + p.String()
	}
}

// origin finds the highest layer that sets the field at path, and the
// field's path within it.
func origin(layers []Layer, path []step) (Layer, *field.Path, bool) {
	for i := len(layers) - 1; i >= 0; i-- {
		if p, ok := lookup(layers[i].Spec, path, layers[i].path()); ok {
			return layers[i], p, true
		}
	}
	return Layer{}, nil, false
}

// lookup follows path through a spec fragment as written: a step is a map
// key, a list index, or the name of a list element (as field.Path.Key
// names containers, env vars and adapters). It returns the path it
// followed under p.
func lookup(v any, path []step, p *field.Path) (*field.Path, bool) { //nolint:gocognit // One case per JSON kind a step crosses: clearer side by side.
	for _, s := range path {
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[s.name]
			if !ok {
				return nil, false
			}
			v = next
			if s.bracket {
				p = p.Key(s.name)
			} else {
				p = p.Child(s.name)
			}
		case []any:
			if n, err := strconv.Atoi(s.name); err == nil {
				if n < 0 || n >= len(t) {
					return nil, false
				}
				v, p = t[n], p.Index(n)
				continue
			}
			found := false
			for _, e := range t {
				if m, ok := e.(map[string]any); ok && m["name"] == s.name {
					v, p, found = m, p.Key(s.name), true
					break
				}
			}
			if !found {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return p, true
}

// A step of a field path: a name, or what a bracket holds (a map key, a
// list index, or a list element's name).
type step struct {
	name    string
	bracket bool
}

// parsePath splits a field.Path string ("template.containers[main].args[0]")
// into its steps.
func parsePath(s string) []step {
	var out []step
	for s != "" {
		switch s[0] {
		case '.':
			s = s[1:]
		case '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return append(out, step{s[1:], true})
			}
			out = append(out, step{s[1:end], true})
			s = s[end+1:]
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			out = append(out, step{s[:end], false})
			s = s[end:]
		}
	}
	return out
}
