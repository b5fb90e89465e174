package validate

import (
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// nameValidators are the name rules of built-in kinds whose names aren't DNS
// subdomains. Native validation has a rule per kind in k8s.io/kubernetes'
// pkg/apis/<group>/validation, which can't be imported; these are copied
// from v1.34.2, where every kind not listed here uses NameIsDNSSubdomain.
var nameValidators = map[schema.GroupKind]apimachineryvalidation.ValidateNameFunc{
	// ValidateServiceName: a Service name becomes a DNS label in
	// <name>.<namespace>.svc, and must start with a letter (RFC 1035).
	// (RelaxedServiceNameValidation, alpha in 1.34, would relax this.)
	{Kind: "Service"}: apimachineryvalidation.NameIsDNS1035Label,
	// ValidateNamespaceName.
	{Kind: "Namespace"}: apimachineryvalidation.ValidateNamespaceName,
	// ValidateStatefulSetName: pod names are <name>-<ordinal>, and pod
	// hostnames are DNS labels.
	{Group: "apps", Kind: "StatefulSet"}: apimachineryvalidation.NameIsDNSLabel,
	// ValidateRBACName only requires a valid path segment.
	{Group: "rbac.authorization.k8s.io", Kind: "Role"}:               rbacName,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:        rbacName,
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:        rbacName,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}: rbacName,
}

func rbacName(name string, _ bool) []string {
	return content.IsPathSegmentName(name)
}

// nameValidatorFor returns the name rule of a built-in kind. Custom
// resources' names are always DNS subdomains.
func nameValidatorFor(gk schema.GroupKind) apimachineryvalidation.ValidateNameFunc {
	if fn, ok := nameValidators[gk]; ok {
		return fn
	}
	return apimachineryvalidation.NameIsDNSSubdomain
}

// validateEmbeddedObjectMeta checks the labels and annotations of every
// ObjectMeta below the root of a built-in object, like a pod template's.
// Native validation does (ValidatePodTemplateSpec); the OpenAPI schema only
// says they're maps of strings. The resolver titles ObjectMeta schemas.
func validateEmbeddedObjectMeta(pth *field.Path, x any, s *structuralschema.Structural) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	switch x := x.(type) {
	case map[string]any:
		if s.Title == schemaObjectMeta && pth != nil && pth.String() != "metadata" {
			errs = append(errs, validateLabelsAndAnnotations(pth, x)...)
		}
		for k, v := range x {
			if prop, ok := s.Properties[k]; ok {
				errs = append(errs, validateEmbeddedObjectMeta(pth.Child(k), v, &prop)...)
			} else if s.AdditionalProperties != nil {
				errs = append(errs, validateEmbeddedObjectMeta(pth.Key(k), v, s.AdditionalProperties.Structural)...)
			}
		}
	case []any:
		for i, v := range x {
			errs = append(errs, validateEmbeddedObjectMeta(pth.Index(i), v, s.Items)...)
		}
	}
	return errs
}

// validateLabelsAndAnnotations checks label keys and values, and annotation
// keys and total size. Values of the wrong type are left to schema
// validation.
func validateLabelsAndAnnotations(pth *field.Path, meta map[string]any) field.ErrorList {
	var errs field.ErrorList
	if labels, ok := stringMap(meta["labels"]); ok {
		errs = append(errs, metav1validation.ValidateLabels(labels, pth.Child("labels"))...)
	}
	if annotations, ok := stringMap(meta["annotations"]); ok {
		errs = append(errs, apimachineryvalidation.ValidateAnnotations(annotations, pth.Child("annotations"))...)
	}
	return errs
}

// stringMap returns m as a map of strings if it is one.
func stringMap(m any) (map[string]string, bool) {
	in, ok := m.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}
