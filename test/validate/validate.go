// Package validate checks rendered Kubernetes objects against the real schema
// of their kind, the way the API server would when they are created or
// server-side applied, which is how Crossplane applies composed resources.
// Schemas come from pinned modules: the OpenAPI v3 documents k8s.io/kubernetes
// publishes for built-in kinds, and the CRDs shipped in the modules of
// LeaderWorkerSet, Gateway API, the Gateway API Inference Extension,
// Crossplane, Istio and GKE's Gateway for custom kinds.
//
// Objects are pruned, defaulted and validated with the API server's own CRD
// machinery from k8s.io/apiextensions-apiserver: structural schemas and
// pruning, kube-openapi schema validation, list-type and embedded-resource
// checks, and CEL x-kubernetes-validations rules. Built-in kinds go through
// the same machinery, their OpenAPI schemas resolved into one schema per kind.
// Fields not in the schema are errors: a strict create and a server-side
// apply fail on them, and any other create silently drops them.
//
// Built-in kinds are also checked by hand-written Go in the API server
// (container names, port ranges, required images, ...), which can't be
// imported. Only metadata rules, pod template labels and workload selectors
// are copied here; TestAgainstAPIServer compares this package with a real
// API server.
package validate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"
)

// ErrNoSchema is wrapped by the error for an object whose kind we have no
// schema for. Such an object is never passed silently.
var ErrNoSchema = errors.New("no schema is known for this apiVersion and kind")

// DefaultNamespace is the namespace objects of namespaced kinds are checked
// in when they don't set one; see WithDefaultNamespace.
const DefaultNamespace = "default"

// DefaultCELCostBudget is the CEL cost budget per object: ten times the API
// server's (RuntimeCELCostBudget), so that a test never fails for cost
// before it would on a server, while a runaway rule still stops.
const DefaultCELCostBudget = 10 * celconfig.RuntimeCELCostBudget

// An ObjectError lists every reason the API server would reject an object.
type ObjectError struct {
	GroupVersionKind schema.GroupVersionKind
	Namespace        string
	Name             string
	Errors           field.ErrorList
}

// Error names the object, then each field path and what is wrong with it,
// one per line.
func (e *ObjectError) Error() string {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s is invalid:", describe(e.GroupVersionKind, e.Namespace, e.Name))
	for _, fe := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(fe.Error())
	}
	return b.String()
}

func describe(gvk schema.GroupVersionKind, namespace, name string) string {
	kind := gvk.Kind
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	id := name
	if namespace != "" {
		id = namespace + "/" + name
	}
	if id == "" {
		id = "<unnamed>"
	}
	return fmt.Sprintf("%s/%s %s", kind, gvk.Version, id)
}

// FieldErrors returns the field errors of err if it is (or wraps) an
// *ObjectError, or of every *ObjectError it joins.
func FieldErrors(err error) field.ErrorList {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out field.ErrorList
		for _, e := range j.Unwrap() {
			out = append(out, FieldErrors(e)...)
		}
		return out
	}
	var oe *ObjectError
	if errors.As(err, &oe) {
		return oe.Errors
	}
	return nil
}

// An Option configures a Validator.
type Option func(*options)

type options struct {
	crdSources    []CRDSource
	crdFiles      []string
	crds          [][]byte
	namespace     string
	celCostBudget int64
}

// WithCRDSources replaces the default CRD sources (DefaultCRDSources), e.g.
// to check against another Gateway API release.
func WithCRDSources(s ...CRDSource) Option {
	return func(o *options) { o.crdSources = s }
}

// WithCRDFile adds the CRDs in a YAML or JSON file, e.g. one generated from
// an XRD. The CRDs must be valid CRDs, and take precedence over the CRDs from
// modules for the kinds they define.
func WithCRDFile(path string) Option {
	return func(o *options) { o.crdFiles = append(o.crdFiles, path) }
}

// WithCRD adds the CRDs in data (YAML or JSON, one or more documents), like
// WithCRDFile.
func WithCRD(data []byte) Option {
	return func(o *options) { o.crds = append(o.crds, data) }
}

// WithDefaultNamespace sets the namespace objects of namespaced kinds are
// checked in when they don't set one. Crossplane sets the namespace of the
// resources a namespaced XR composes, so rendered objects often have none.
func WithDefaultNamespace(ns string) Option {
	return func(o *options) { o.namespace = ns }
}

// WithCELCostBudget sets the CEL cost budget per object.
func WithCELCostBudget(budget int64) Option {
	return func(o *options) { o.celCostBudget = budget }
}

// A Validator checks objects against the schemas of their kinds. It is safe
// for concurrent use. Schemas are read when it is built, and compiled the
// first time an object of their kind is checked, so share one Validator
// (see Default) rather than build one per test.
type Validator struct {
	opts     options
	crds     map[schema.GroupVersionKind]*kindSchema
	builtins *builtinDocs
}

// NewValidator locates the pinned modules (downloading them through the
// module proxy if needed), reads their CRDs and indexes the built-in OpenAPI
// documents.
func NewValidator(opts ...Option) (*Validator, error) {
	o := options{
		crdSources:    DefaultCRDSources(),
		namespace:     DefaultNamespace,
		celCostBudget: DefaultCELCostBudget,
	}
	for _, fn := range opts {
		fn(&o)
	}
	ctx := context.Background()

	k8s := moduleVersion{Path: KubernetesModule, Version: KubernetesVersion}
	mods := []moduleVersion{k8s}
	for _, s := range o.crdSources {
		mods = append(mods, moduleVersion{Path: s.Module, Version: s.Version})
	}
	dirs, err := moduleDirs(ctx, mods)
	if err != nil {
		return nil, fmt.Errorf("cannot locate schema modules: %w", err)
	}

	v := &Validator{opts: o, crds: map[schema.GroupVersionKind]*kindSchema{}}
	if v.builtins, err = newBuiltinDocs(dirs[k8s], k8s.String()); err != nil {
		return nil, err
	}

	// Later CRDs take precedence: sources in order, then files, then data.
	for _, s := range o.crdSources {
		crds, err := s.readCRDs(dirs[moduleVersion{Path: s.Module, Version: s.Version}])
		if err != nil {
			return nil, fmt.Errorf("cannot find CRDs of %s: %w", s, err)
		}
		for _, c := range crds {
			if err := v.addCRD(ctx, c.CRD, s.String()+" "+c.File, false); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range o.crdFiles {
		if err := v.addCRDFile(ctx, f, f, true); err != nil {
			return nil, err
		}
	}
	for i, data := range o.crds {
		if err := v.addCRDs(ctx, data, fmt.Sprintf("WithCRD #%d", i), true); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (v *Validator) addCRDFile(ctx context.Context, path, source string, check bool) error {
	data, err := os.ReadFile(path) //nolint:gosec // Reading schema files is the point.
	if err != nil {
		return fmt.Errorf("cannot read CRD file %q: %w", path, err)
	}
	if source != path {
		source = source + " " + path
	}
	return v.addCRDs(ctx, data, source, check)
}

// addCRDs registers the CRDs in data. check validates them as the API server
// would on create: worth it for generated CRDs, a waste of time for
// published ones.
func (v *Validator) addCRDs(ctx context.Context, data []byte, source string, check bool) error {
	crds, err := parseCRDs(data)
	if err != nil {
		return fmt.Errorf("cannot load CRDs from %s: %w", source, err)
	}
	for _, crd := range crds {
		if err := v.addCRD(ctx, crd, source, check); err != nil {
			return err
		}
	}
	return nil
}

// addCRD registers one CRD, checked as addCRDs says.
func (v *Validator) addCRD(ctx context.Context, crd *apiextensionsv1.CustomResourceDefinition, source string, check bool) error {
	if check {
		if err := validateCRD(ctx, crd); err != nil {
			return fmt.Errorf("invalid CRD %q from %s: %w", crd.Name, source, err)
		}
	}
	kinds, err := crdKindSchemas(crd, source, celconfig.PerCallLimit)
	if err != nil {
		return fmt.Errorf("cannot load CRD %q from %s: %w", crd.Name, source, err)
	}
	for _, k := range kinds {
		v.crds[k.gvk] = k
	}
	return nil
}

var (
	defaultOnce      sync.Once
	defaultValidator *Validator
	errDefault       error
)

// Default returns a Validator with the default options, built once per test
// binary and shared by every caller.
func Default() (*Validator, error) {
	defaultOnce.Do(func() {
		defaultValidator, errDefault = NewValidator()
	})
	return defaultValidator, errDefault
}

// lookup returns the schema of a kind. CRDs take precedence, so that a CRD
// given at run time can stand in for anything.
func (v *Validator) lookup(gvk schema.GroupVersionKind) (*kindSchema, error) {
	if k, ok := v.crds[gvk]; ok {
		return k, nil
	}
	return v.builtins.lookup(gvk)
}

// Kinds returns every apiVersion and kind the Validator has a schema for. It
// reads every built-in OpenAPI document, so it is slower than Validate.
func (v *Validator) Kinds() ([]schema.GroupVersionKind, error) {
	all, err := v.builtins.all()
	if err != nil {
		return nil, err
	}
	for gvk, k := range v.crds {
		if b, err := v.builtins.lookup(gvk); err == nil && b != nil {
			continue // Already listed.
		}
		all = append(all, k)
	}
	return sortedKinds(all), nil
}

// Source returns where the schema of a kind comes from (module, file and
// schema name), or ErrNoSchema.
func (v *Validator) Source(gvk schema.GroupVersionKind) (string, error) {
	k, err := v.lookup(gvk)
	if err != nil {
		return "", err
	}
	if k == nil {
		return "", fmt.Errorf("%s: %w", gvk, ErrNoSchema)
	}
	return k.source, nil
}

// Validate checks one object: an *unstructured.Unstructured, an
// unstructured.Unstructured, a map[string]any, or any typed object that
// marshals to JSON with its apiVersion and kind set. It returns nil, an
// *ObjectError listing every problem, an error wrapping ErrNoSchema, or an
// error saying why it could not check the object at all.
func (v *Validator) Validate(obj any) error {
	m, err := toJSONMap(obj)
	if err != nil {
		return err
	}
	return v.validateMap(m)
}

// ValidateStatus checks the status of one custom resource, taken like
// Validate's, as the API server checks a write of its status subresource,
// which is how Crossplane writes an XR's status: unknown fields anywhere
// fail, and the status must satisfy the status part of the schema. The rest
// of the object is not checked (on such a write it is the stored object);
// Validate checks it. Validate itself never checks status: the API server
// drops it on create.
func (v *Validator) ValidateStatus(obj any) error {
	m, err := toJSONMap(obj)
	if err != nil {
		return err
	}
	return v.validateMapWith(m, (*kindSchema).validateStatus)
}

// ValidateAll checks each object, and joins the errors of all of them.
func (v *Validator) ValidateAll(objs ...any) error {
	errs := make([]error, 0, len(objs))
	for _, o := range objs {
		errs = append(errs, v.Validate(o))
	}
	return errors.Join(errs...)
}

// ValidateYAML checks every object in a YAML or JSON stream, such as the
// output of `crossplane render`, and joins the errors of all of them.
func (v *Validator) ValidateYAML(data []byte) error {
	docs, err := splitYAML(data)
	if err != nil {
		return err
	}
	errs := make([]error, 0, len(docs))
	for i, doc := range docs {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot parse document %d: %w", i, err))
			continue
		}
		m := map[string]any{}
		if err := utiljson.Unmarshal(j, &m); err != nil {
			errs = append(errs, fmt.Errorf("cannot parse document %d as an object: %w", i, err))
			continue
		}
		errs = append(errs, v.validateMap(m))
	}
	return errors.Join(errs...)
}

// validateMap checks m, which it owns.
func (v *Validator) validateMap(m map[string]any) error {
	return v.validateMapWith(m, (*kindSchema).validate)
}

// validateMapWith checks m, which it owns, with check.
func (v *Validator) validateMapWith(m map[string]any, check func(*kindSchema, context.Context, map[string]any, *options) field.ErrorList) error {
	apiVersion, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	meta, _ := m["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		name, _ = meta["generateName"].(string)
	}
	namespace, _ := meta["namespace"].(string)

	gv, err := schema.ParseGroupVersion(apiVersion)
	if apiVersion == "" || kind == "" || err != nil {
		var errs field.ErrorList
		if apiVersion == "" {
			errs = append(errs, field.Required(field.NewPath("apiVersion"), ""))
		} else if err != nil {
			errs = append(errs, field.Invalid(field.NewPath("apiVersion"), apiVersion, err.Error()))
		}
		if kind == "" {
			errs = append(errs, field.Required(field.NewPath("kind"), ""))
		}
		return &ObjectError{Namespace: namespace, Name: name, Errors: errs}
	}
	gvk := gv.WithKind(kind)

	k, err := v.lookup(gvk)
	if err != nil {
		return fmt.Errorf("cannot check %s: %w", describe(gvk, namespace, name), err)
	}
	if k == nil {
		return fmt.Errorf("%s: %w", describe(gvk, namespace, name), ErrNoSchema)
	}
	if errs := check(k, context.Background(), m, &v.opts); len(errs) > 0 {
		// Stable output for golden tests: by field path, else as found.
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
		return &ObjectError{GroupVersionKind: gvk, Namespace: namespace, Name: name, Errors: errs}
	}
	return nil
}

// toJSONMap returns a deep copy of obj as the API server would decode it
// from JSON: maps, slices, strings, bools, int64s and float64s only, which is
// what pruning, defaulting and CEL expect.
func toJSONMap(obj any) (map[string]any, error) {
	if obj == nil {
		return nil, errors.New("cannot check a nil object")
	}
	if rv := reflect.ValueOf(obj); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, fmt.Errorf("cannot check a nil %T", obj)
	}
	switch u := obj.(type) {
	case unstructured.Unstructured:
		// Its MarshalJSON has a pointer receiver.
		obj = u.Object
	case interface{ UnstructuredContent() map[string]any }:
		// *unstructured.Unstructured, and types that embed it like
		// crossplane-runtime's composed.Unstructured.
		obj = u.UnstructuredContent()
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("cannot marshal %T to JSON: %w", obj, err)
	}
	m := map[string]any{}
	if err := utiljson.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("cannot unmarshal %T as a JSON object: %w", obj, err)
	}
	return m, nil
}
