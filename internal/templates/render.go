// Package templates renders KServe's Go templates in an LLMInferenceService
// spec: {{ ChildName .ObjectMeta.Name `-suffix` }}, {{ .Spec.Model.Name }},
// {{ .GlobalConfig.IngressGatewayName }} and the like, in every string of
// every layer of configuration, against the merged spec.
//
// KServe renders the JSON text of the whole spec as one template, with the
// service's own spec as data. This renders each string on its own, with
// the merged spec as data, so a value from a base configuration is seen
// like one in the spec, a rendered value can hold any character, and an
// error names the field. Templates may call KServe's functions and
// text/template's builtins and nothing else, read only the service and the
// platform's configuration, and are bounded in what they produce and in
// the work of their loops (guard.go).
package templates

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// leftDelim opens an action: a string without it renders to itself.
const leftDelim = "{{"

// mainTemplate names the template of each string; messages leave it out.
const mainTemplate = "field"

// shownTemplate is how much of a template a message quotes: the field path
// finds the rest.
const shownTemplate = 200

// Has is true when a string anywhere in v (a spec or a fragment, as JSON)
// holds a template action.
func Has(v any) bool {
	switch t := v.(type) {
	case string:
		return strings.Contains(t, leftDelim)
	case map[string]any:
		for _, e := range t {
			if Has(e) {
				return true
			}
		}
	case []any:
		for _, e := range t {
			if Has(e) {
				return true
			}
		}
	}
	return false
}

// Render renders the Go templates in every string of a merged spec and
// returns the rendered spec; merged is not modified. The data of every
// template is the merged spec before rendering, so templates see each
// other's fields as written (a rendered value is never rendered again).
// Errors name the field that holds the template, and quote it; one over
// the bounds stops the render. Its error is a spec that cannot be read at
// all.
func Render(merged map[string]any, in Input) (map[string]any, field.ErrorList, error) {
	var sites []site
	collect(merged, specType, field.NewPath("spec"), nil, "", &sites)
	if len(sites) == 0 {
		return merged, nil, nil
	}
	d, err := data(merged, sites, in)
	if err != nil {
		return nil, nil, err
	}
	m := &meter{}
	fm := funcs(m)
	out := runtime.DeepCopyJSON(merged)
	var errs field.ErrorList
	for _, s := range sites {
		text, err := render(s.text, d, fm, m)
		if err != nil {
			errs = append(errs, field.Invalid(s.path, shorten(s.text), err.Error()))
			var limit *limitError
			if errors.As(err, &limit) {
				break // Every template after it would fail the same way.
			}
			continue
		}
		set(out, s.addr, text)
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return out, nil, nil
}

// render executes one string's templates.
func render(text string, d *dot, fm template.FuncMap, m *meter) (string, error) {
	t, err := template.New(mainTemplate).Option("missingkey=error").Funcs(fm).Parse(text)
	if err != nil {
		return "", errors.New(message(err))
	}
	if err := guard(t); err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&meteredWriter{m: m, b: &b}, d); err != nil {
		// The renderer's own errors say what they mean without
		// text/template's wrapping.
		var limit *limitError
		if errors.As(err, &limit) {
			return "", limit
		}
		var unprintable *printError
		if errors.As(err, &unprintable) {
			return "", unprintable
		}
		return "", errors.New(message(err))
	}
	return b.String(), nil
}

// valueInMessage matches the errors of text/template that print the value
// they could not use: a struct prints the addresses of its pointers, which
// differ from call to call, and the whole spec may be that value.
var valueInMessage = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?s)range can't iterate over .*`), "range can't iterate over this value: range over a list, a map or a number"},
	{regexp.MustCompile(`(?s)if/with can't use .*`), "if/with can't use this value"},
	{regexp.MustCompile(`(?s)can't use .* iterate over more than one variable`), "can't use this value to iterate over more than one variable"},
	{regexp.MustCompile(`(?s)range over send-only channel .*`), "range over a send-only channel"},
}

// address is a pointer printed in a message, should one still be there.
var address = regexp.MustCompile(`0x[0-9a-f]{8,}`)

// message is text/template's error without the template's name, which is
// not the user's ("1:12: at <.Spec.Foo>: can't evaluate field Foo ..."),
// and without values, which may differ from call to call: the same
// template gives the same message.
func message(err error) string {
	msg := strings.TrimPrefix(err.Error(), "template: "+mainTemplate+":")
	msg = strings.Replace(msg, `executing "`+mainTemplate+`" at `, "at ", 1)
	for _, v := range valueInMessage {
		msg = v.re.ReplaceAllLiteralString(msg, v.with)
	}
	msg = address.ReplaceAllLiteralString(msg, "0x...")
	if strings.Contains(msg, "function") && strings.Contains(msg, "not defined") {
		msg += "; the functions are " + fnChildName + ", " + fnKVTransferConfig + ", " + fnShutdownTimeout + " and text/template's builtins"
	}
	return "cannot render the template: " + msg
}

// meteredWriter writes what a template prints once the meter allows it.
type meteredWriter struct {
	m *meter
	b *strings.Builder
}

func (w *meteredWriter) Write(p []byte) (int, error) {
	if err := w.m.print(len(p)); err != nil {
		return 0, err
	}
	return w.b.Write(p)
}

// shorten is s as a message quotes it.
func shorten(s string) string {
	if len(s) <= shownTemplate {
		return s
	}
	cut := shownTemplate
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// Plain is a copy of spec without the templates that sit in fields whose
// Go type is not a string (a quantity, an int-or-string): what can be
// decoded into the spec's types before it is rendered.
func Plain(spec map[string]any) map[string]any {
	var sites []site
	collect(spec, specType, field.NewPath("spec"), nil, "", &sites)
	return plain(spec, sites)
}

func plain(spec map[string]any, sites []site) map[string]any {
	if !slices.ContainsFunc(sites, func(s site) bool { return s.typed }) {
		return spec
	}
	out := runtime.DeepCopyJSON(spec)
	for _, s := range sites {
		if s.typed {
			unset(out, s.addr)
		}
	}
	return out
}

// data is the dot of every template: the merged spec before rendering, in
// typed form. A template in a field whose type is not a string cannot be
// decoded before it is rendered, so other templates see that field unset.
func data(merged map[string]any, sites []site, in Input) (*dot, error) {
	b, err := json.Marshal(plain(merged, sites))
	if err != nil {
		return nil, errors.Wrap(err, "cannot marshal the spec for its templates")
	}
	d := &dot{
		ObjectMeta:   metav1.ObjectMeta{Name: in.Name, Namespace: in.Namespace, Labels: in.Labels, Annotations: in.Annotations},
		GlobalConfig: in.Global,
	}
	// Not strict: unknown fields are the decoder's to report, once the
	// spec is rendered.
	if err := json.Unmarshal(b, &d.Spec); err != nil {
		return nil, errors.Wrap(err, "cannot decode the spec for its templates")
	}
	// KServe's defaulter names the model after the service.
	if n := d.Spec.Model.Name; n == nil || *n == "" {
		name := in.Name
		d.Spec.Model.Name = &name
	}
	pool := in.ManagedPoolName
	if r := d.Spec.Router; r.HasScheduler() && r.Scheduler.Pool != nil && r.Scheduler.Pool.Ref != nil {
		pool = r.Scheduler.Pool.Ref.Name
	}
	d.GlobalConfig.InferencePoolNamespacedName = in.Namespace + "/" + pool
	return d, nil
}

// A site is a string of the spec that holds a template.
type site struct {
	// path is the field, as errors name it.
	path *field.Path
	// addr finds the string from the spec's root: map keys and list
	// indexes.
	addr []any
	text string
	// typed is true when the field's Go type is not a string.
	typed bool
}

// specType is the type the spec's fields are looked up in.
var specType = reflect.TypeFor[spec.LLMInferenceServiceSpec]()

// collect finds the sites under v, the value at path p and address addr,
// whose Go type is t (nil where the spec has no type: unknown fields,
// inline objects). Map keys are visited in order, so sites come in the
// same order on every call. Entries of lists merged by name are named by
// it, as field errors name containers and env vars.
func collect(v any, t reflect.Type, p *field.Path, addr []any, mergeKey string, out *[]site) { //nolint:gocognit // One case per JSON kind: clearer side by side.
	t = deref(t)
	switch x := v.(type) {
	case string:
		if strings.Contains(x, leftDelim) {
			typed := t != nil && t.Kind() != reflect.String && t.Kind() != reflect.Interface
			*out = append(*out, site{path: p, addr: slices.Clone(addr), text: x, typed: typed})
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			next := child(addr, k)
			switch {
			case t != nil && t.Kind() == reflect.Map:
				collect(x[k], t.Elem(), p.Key(k), next, "", out)
			case t != nil && t.Kind() == reflect.Struct && !opaque(t):
				f, ok := fieldByJSON(t, k)
				if !ok {
					collect(x[k], nil, p.Child(k), next, "", out)
					continue
				}
				collect(x[k], f.Type, p.Child(k), next, f.Tag.Get("patchMergeKey"), out)
			default:
				collect(x[k], nil, p.Child(k), next, "", out)
			}
		}
	case []any:
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for i, e := range x {
			ep := p.Index(i)
			if m, ok := e.(map[string]any); ok && mergeKey == "name" {
				if n, ok := m["name"].(string); ok && n != "" {
					ep = p.Key(n)
				}
			}
			collect(e, elem, ep, child(addr, i), "", out)
		}
	}
}

// child is the address of step under addr; addr is left as it is.
func child(addr []any, step any) []any {
	return append(slices.Clip(addr), step)
}

// opaque is true for a struct type that reads its own JSON (a quantity, an
// inline object): its keys are not its fields.
func opaque(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldByJSON is the field of struct t that JSON key k decodes into, with
// encoding/json's rules for embedded structs: the shallowest wins.
func fieldByJSON(t reflect.Type, k string) (reflect.StructField, bool) {
	level := []reflect.Type{t}
	for len(level) > 0 {
		var next []reflect.Type
		for _, s := range level {
			f, ok, embedded := ownField(s, k)
			if ok {
				return f, true
			}
			next = append(next, embedded...)
		}
		level = next
	}
	return reflect.StructField{}, false
}

// ownField is the field of struct s named k in JSON, not looking into
// embedded structs, and the embedded structs whose fields JSON promotes.
func ownField(s reflect.Type, k string) (reflect.StructField, bool, []reflect.Type) {
	var embedded []reflect.Type
	for i := range s.NumField() {
		f := s.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "":
			if et := deref(f.Type); et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
			}
		case !f.IsExported():
		case name == k, name == "" && f.Name == k:
			return f, true, nil
		}
	}
	return reflect.StructField{}, false, embedded
}

// set writes v at addr in the spec.
func set(spec map[string]any, addr []any, v string) {
	var cur any = spec
	for i, a := range addr {
		last := i == len(addr)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[a.(string)] = v
				return
			}
			cur = c[a.(string)]
		case []any:
			if last {
				c[a.(int)] = v
				return
			}
			cur = c[a.(int)]
		}
	}
}

// unset removes the value at addr when it is a map entry; a list keeps its
// length.
func unset(spec map[string]any, addr []any) {
	var cur any = spec
	for i, a := range addr {
		last := i == len(addr)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				delete(c, a.(string))
				return
			}
			cur = c[a.(string)]
		case []any:
			if last {
				return
			}
			cur = c[a.(int)]
		}
	}
}
