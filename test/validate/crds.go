package validate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// crdGVK is the only kind a CRD file may hold.
const (
	crdAPIVersion = "apiextensions.k8s.io/v1"
	crdKind       = "CustomResourceDefinition"
)

// splitYAML splits a YAML (or JSON) stream into its non-empty documents.
func splitYAML(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot split YAML documents: %w", err)
		}
		if isEmptyYAML(doc) {
			continue
		}
		docs = append(docs, doc)
	}
}

// isEmptyYAML reports whether a document holds nothing but comments, blank
// lines and document markers.
func isEmptyYAML(doc []byte) bool {
	for _, line := range strings.Split(string(doc), "\n") {
		l := strings.TrimSpace(line)
		if l == "" || l == "---" || strings.HasPrefix(l, "#") {
			continue
		}
		return false
	}
	return true
}

// parseCRDs reads the CRDs in data, which must hold nothing else.
func parseCRDs(data []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	docs, err := splitYAML(data)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, errors.New("no CustomResourceDefinition in the data")
	}
	crds := make([]*apiextensionsv1.CustomResourceDefinition, 0, len(docs))
	for i, doc := range docs {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(doc, crd); err != nil {
			return nil, fmt.Errorf("cannot parse document %d as a CustomResourceDefinition: %w", i, err)
		}
		if crd.APIVersion != crdAPIVersion || crd.Kind != crdKind {
			return nil, fmt.Errorf("document %d is a %s %s, not a %s %s", i, crd.APIVersion, crd.Kind, crdAPIVersion, crdKind)
		}
		crds = append(crds, crd)
	}
	return crds, nil
}

// validateCRD checks a CRD as the API server does when it is created, so that
// a generated CRD we validate objects against is one a cluster would accept.
func validateCRD(ctx context.Context, in *apiextensionsv1.CustomResourceDefinition) error {
	crd := in.DeepCopy()
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(crd)
	internal := &apiextensionsinternal.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(crd, internal, nil); err != nil {
		return fmt.Errorf("cannot convert to the internal version: %w", err)
	}
	// What the CRD strategy's PrepareForCreate does.
	internal.Status = apiextensionsinternal.CustomResourceDefinitionStatus{}
	internal.Generation = 1
	for _, v := range internal.Spec.Versions {
		if v.Storage {
			internal.Status.StoredVersions = []string{v.Name}
			break
		}
	}
	if errs := crdvalidation.ValidateCustomResourceDefinition(ctx, internal); len(errs) > 0 {
		return errs.ToAggregate()
	}
	return nil
}

// crdKindSchemas returns a kindSchema for each served version of crd. Schemas
// are compiled on first use.
func crdKindSchemas(crd *apiextensionsv1.CustomResourceDefinition, source string, perCallLimit uint64) ([]*kindSchema, error) {
	if crd.Spec.PreserveUnknownFields {
		// Not allowed in apiextensions.k8s.io/v1; nothing to prune against.
		return nil, fmt.Errorf("CRD %q sets spec.preserveUnknownFields", crd.Name)
	}
	var out []*kindSchema
	for _, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			return nil, fmt.Errorf("CRD %q version %q has no schema", crd.Name, v.Name)
		}
		internal := &apiextensionsinternal.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(v.Schema, internal, nil); err != nil {
			return nil, fmt.Errorf("cannot convert the schema of CRD %q version %q: %w", crd.Name, v.Name, err)
		}
		props := internal.OpenAPIV3Schema
		out = append(out, &kindSchema{
			gvk:        crdGroupVersionKind(crd, v.Name),
			namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
			hasStatus:  v.Subresources != nil && v.Subresources.Status != nil,
			source:     fmt.Sprintf("CRD %s (%s)", crd.Name, source),
			nameFn:     nameValidatorForCustomResource,
			compileFn: func() (*compiledSchema, error) {
				return compileCRDSchema(props, perCallLimit)
			},
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("CRD %q serves no version", crd.Name)
	}
	return out, nil
}

// crdGroupVersionKind is the kind a CRD serves at a version.
func crdGroupVersionKind(crd *apiextensionsv1.CustomResourceDefinition, version string) schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: crd.Spec.Group, Version: version, Kind: crd.Spec.Names.Kind}
}

// nameValidatorForCustomResource is the name rule of every custom resource
// (customResourceValidator.Validate in k8s.io/apiextensions-apiserver).
var nameValidatorForCustomResource = apimachineryvalidation.NameIsDNSSubdomain
