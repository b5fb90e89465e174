package validate

import (
	"context"
	"fmt"
	"sync"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/validate"
)

// A kindSchema is what we know about one apiVersion and kind: its scope, the
// rules for its name, and (compiled on first use) its schema.
type kindSchema struct {
	gvk        schema.GroupVersionKind
	namespaced bool

	// hasStatus is true for kinds with a status subresource: the API server
	// resets their status on create, after decoding, so status values are
	// never validated (unknown status fields still fail decoding).
	hasStatus bool

	// builtin kinds are decoded into Go types by the API server, CRDs into
	// unstructured objects. The two differ in how they treat metadata,
	// nulls and defaults.
	builtin bool

	// source says where the schema came from, for messages.
	source string

	nameFn    apimachineryvalidation.ValidateNameFunc
	compileFn func() (*compiledSchema, error)

	once     sync.Once
	compiled *compiledSchema
	err      error
}

// A compiledSchema is ready to validate objects. It is immutable, so one
// compiledSchema serves concurrent validations.
type compiledSchema struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaCreateValidator

	// cel is nil when the schema has no x-kubernetes-validations.
	cel *cel.Validator

	// status checks a write of the status subresource: the API server
	// then checks status against its own part of the schema only. Nil for
	// a schema without status.
	status *statusSchema
}

// statusSchema is the status part of a custom resource's schema.
type statusSchema struct {
	validator apiservervalidation.SchemaCreateValidator
	// cel is nil when status has no x-kubernetes-validations.
	cel        *cel.Validator
	structural *structuralschema.Structural
}

// compile compiles the schema the first time it is needed. Compiling the CEL
// rules of a big CRD takes a while; most tests only need a few kinds.
func (k *kindSchema) compile() (*compiledSchema, error) {
	k.once.Do(func() {
		k.compiled, k.err = k.compileFn()
		if k.err != nil {
			k.err = fmt.Errorf("cannot compile the schema of %s from %s: %w", k.gvk, k.source, k.err)
		}
	})
	return k.compiled, k.err
}

// compileCRDSchema compiles one version's schema of a CRD exactly as the API
// server's CRD handler does (see customresource_handler.go in
// k8s.io/apiextensions-apiserver): a structural schema with unpruned defaults
// for pruning, defaulting and CEL, and a kube-openapi validator for the rest.
func compileCRDSchema(props *apiextensionsinternal.JSONSchemaProps, perCallLimit uint64) (*compiledSchema, error) {
	s, err := structuralschema.NewStructural(props)
	if err != nil {
		return nil, fmt.Errorf("schema is not structural: %w", err)
	}
	s = s.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(s); err != nil {
		return nil, fmt.Errorf("cannot prune defaults: %w", err)
	}
	v, _, err := apiservervalidation.NewSchemaValidator(props)
	if err != nil {
		return nil, fmt.Errorf("cannot build schema validator: %w", err)
	}
	c := &compiledSchema{
		structural: s,
		validator:  v,
		cel:        cel.NewValidator(s, true, perCallLimit),
	}
	if st, ok := props.Properties["status"]; ok {
		sv, _, err := apiservervalidation.NewSchemaValidator(&st)
		if err != nil {
			return nil, fmt.Errorf("cannot build the status schema validator: %w", err)
		}
		ss := s.Properties["status"]
		c.status = &statusSchema{validator: sv, cel: cel.NewValidator(&ss, true, perCallLimit), structural: &ss}
	}
	return c, nil
}

// compileBuiltin compiles a resolved built-in schema. It has no CEL rules,
// and its formats include formatQuantity.
func compileBuiltin(props *apiextensionsinternal.JSONSchemaProps) (*compiledSchema, error) {
	s, err := structuralschema.NewStructural(props)
	if err != nil {
		return nil, fmt.Errorf("cannot convert to a structural schema: %w", err)
	}
	openapi := &spec.Schema{}
	if err := apiservervalidation.ConvertJSONSchemaProps(props, openapi); err != nil {
		return nil, fmt.Errorf("cannot convert to an OpenAPI schema: %w", err)
	}
	return &compiledSchema{
		structural: s,
		validator:  openAPIValidator{validate.NewSchemaValidator(openapi, nil, "", builtinFormats)},
	}, nil
}

// openAPIValidator adapts a kube-openapi validator to what
// apiservervalidation.ValidateCustomResource takes, which is how the API
// server turns kube-openapi results into field errors.
type openAPIValidator struct {
	*validate.SchemaValidator
}

func (v openAPIValidator) Validate(value any, _ ...apiservervalidation.ValidationOption) *validate.Result {
	return v.SchemaValidator.Validate(value)
}

// unknownFieldDetail explains an unknown field error.
const unknownFieldDetail = "unknown field: not in the schema; a strict create or a server-side apply fails, any other create drops it"

// validate checks obj, which it owns and modifies, as the API server would
// on create, and returns every error it finds.
func (k *kindSchema) validate(ctx context.Context, obj map[string]any, o *options) field.ErrorList {
	c, err := k.compile()
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}

	k.prepareForCreate(obj, o)

	// Decoding. Fields the schema doesn't declare are errors: a strict
	// create fails on them, and so does server-side apply, which Crossplane
	// uses for composed resources ("field not declared in schema"). Only a
	// create with fieldValidation Warn or Ignore drops them, silently
	// losing what the function meant to set. That holds for nulls too, like
	// the creationTimestamp: null Go marshals into every ObjectMeta.
	var unknown []string
	var errs field.ErrorList
	if k.builtin {
		unknown = pruning.PruneWithOptions(obj, c.structural, false, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
		// Go decoding leaves a field at its zero value for null.
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, c.structural)
	} else {
		unknown, errs = coerceCustomResource(obj, c.structural)
		if len(errs) > 0 {
			// The API server fails to decode the object.
			return errs
		}
	}
	for _, p := range unknown {
		errs = append(errs, field.Forbidden(field.NewPath(p), unknownFieldDetail))
	}

	if k.hasStatus {
		// PrepareForCreate of every kind with a status subresource resets
		// status after decoding: what the function puts there (in known
		// fields) is never validated, and never stored.
		delete(obj, "status")
	}
	if !k.builtin {
		structuraldefaulting.Default(obj, c.structural)
	}

	// Validation, in the order of customResourceStrategy.Validate.
	u := &unstructured.Unstructured{Object: obj}
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaAccessor(u, k.namespaced, k.nameFn, field.NewPath("metadata"))...)
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, obj, c.validator)...)
	errs = append(errs, objectmeta.Validate(nil, obj, c.structural, false)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, c.structural, obj)...)
	if k.builtin {
		errs = append(errs, validateEmbeddedObjectMeta(nil, obj, c.structural)...)
		errs = append(errs, validateNative(k.gvk.GroupKind(), obj, errs)...)
	}
	if c.cel != nil {
		// The API server skips CEL rules when the object is already
		// invalid in ways that make rules misleading.
		if blocked, err := blockingError(errs); blocked {
			errs = append(errs, err)
		} else {
			celErrs, _ := c.cel.Validate(ctx, nil, c.structural, obj, nil, o.celCostBudget)
			errs = append(errs, celErrs...)
		}
	}
	return errs
}

// validateStatus checks obj, which it owns and modifies, as the API server
// checks a write of a custom resource's status subresource: decoded (and
// pruned) whole, then status alone against the status part of the schema,
// its CEL rules included. The rest of the object is the stored one on such
// a write, checked when it was stored.
func (k *kindSchema) validateStatus(ctx context.Context, obj map[string]any, o *options) field.ErrorList {
	if k.builtin || !k.hasStatus {
		return field.ErrorList{field.InternalError(nil, fmt.Errorf("%s is not a custom resource with a status subresource", k.gvk))}
	}
	c, err := k.compile()
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}
	if c.status == nil {
		return field.ErrorList{field.InternalError(nil, fmt.Errorf("the schema of %s has no status", k.gvk))}
	}
	k.prepareForCreate(obj, o)
	unknown, errs := coerceCustomResource(obj, c.structural)
	if len(errs) > 0 {
		return errs
	}
	for _, p := range unknown {
		errs = append(errs, field.Forbidden(field.NewPath(p), unknownFieldDetail))
	}
	structuraldefaulting.Default(obj, c.structural)
	status, ok := obj["status"]
	if !ok {
		return errs
	}
	path := field.NewPath("status")
	errs = append(errs, apiservervalidation.ValidateCustomResource(path, status, c.status.validator)...)
	if m, ok := status.(map[string]any); ok {
		errs = append(errs, listtype.ValidateListSetsAndMaps(path, c.status.structural, m)...)
	}
	if c.status.cel != nil {
		if blocked, err := blockingError(errs); blocked {
			errs = append(errs, err)
		} else {
			celErrs, _ := c.status.cel.Validate(ctx, path, c.status.structural, status, nil, o.celCostBudget)
			errs = append(errs, celErrs...)
		}
	}
	return errs
}

// prepareForCreate does what the API server does to an object before it
// decodes and validates it on create.
func (k *kindSchema) prepareForCreate(obj map[string]any, o *options) {
	meta, ok := obj["metadata"].(map[string]any)
	if !ok && k.namespaced {
		meta = map[string]any{}
		obj["metadata"] = meta
	}
	if meta != nil {
		ns, _ := meta["namespace"].(string)
		switch {
		case k.namespaced && ns == "":
			// Crossplane sets the namespace of composed resources of
			// namespaced XRs; the API server takes it from the URL.
			meta["namespace"] = o.namespace
		case !k.namespaced && meta["namespace"] != nil:
			// rest.EnsureObjectNamespaceMatchesRequestNamespace clears the
			// namespace of a cluster-scoped object.
			delete(meta, "namespace")
		}

		name, _ := meta["name"].(string)
		generateName, _ := meta["generateName"].(string)
		if name == "" && generateName != "" {
			// rest.BeforeCreate generates the name before validation.
			meta["name"] = names.SimpleNameGenerator.GenerateName(generateName)
		}
	}
}

// coerceCustomResource prunes a custom resource as the API server's
// unstructuredSchemaCoercer does when it decodes one, returning the paths of
// the fields it dropped.
func coerceCustomResource(obj map[string]any, s *structuralschema.Structural) ([]string, field.ErrorList) {
	kind, hasKind := obj["kind"]
	apiVersion, hasAPIVersion := obj["apiVersion"]

	// metadata is decoded into metav1.ObjectMeta, whatever the schema says.
	meta, hasMeta, unknown, err := objectmeta.GetObjectMetaWithOptions(obj, objectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), obj["metadata"], err.Error())}
	}
	opts := structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}
	unknown = append(unknown, pruning.PruneWithOptions(obj, s, true, opts)...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj, s)

	// Embedded resources (x-kubernetes-embedded-resource) get the same
	// metadata treatment.
	ferr, paths := objectmeta.CoerceWithOptions(nil, obj, s, false, objectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if ferr != nil {
		return nil, field.ErrorList{ferr}
	}
	unknown = append(unknown, paths...)

	if hasKind {
		obj["kind"] = kind
	}
	if hasAPIVersion {
		obj["apiVersion"] = apiVersion
	}
	if hasMeta {
		if err := objectmeta.SetObjectMeta(obj, meta); err != nil {
			return nil, field.ErrorList{field.Invalid(field.NewPath("metadata"), obj["metadata"], err.Error())}
		}
	}
	return unknown, nil
}

// blockingError mirrors hasBlockingErr of the API server's
// customResourceStrategy: these error types make it skip CEL rules.
func blockingError(errs field.ErrorList) (bool, *field.Error) {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")
		}
	}
	return false, nil
}
