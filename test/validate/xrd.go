package validate

import (
	"encoding/json"
	"errors"
	"fmt"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// The identity of a CompositeResourceDefinition.
const (
	xrdGroup   = "apiextensions.crossplane.io"
	xrdKind    = "CompositeResourceDefinition"
	xrdV1      = xrdGroup + "/v1"
	xrdV2      = xrdGroup + "/v2"
	categoryXR = "composite"
	categoryXC = "claim"
)

// The scopes of an XR (spec.scope of an XRD). apiextensions.crossplane.io/v1
// defaults to LegacyCluster and v2 to Namespaced; v2 has no LegacyCluster.
const (
	scopeNamespaced    = "Namespaced"
	scopeCluster       = "Cluster"
	scopeLegacyCluster = "LegacyCluster"
)

// The defaults the API server gives an XRD's policies (from Crossplane's
// CompositeResourceDefinition CRD). An XRD read from a file lacks them, and
// they become the defaults of the generated CRDs.
const (
	defaultCompositionUpdatePolicy = "Automatic"
	defaultCompositeDeletePolicy   = "Background" // v1 only; v2 has no claims.
)

// maxXRNameLength is the maxLength Crossplane puts on metadata.name of XRs
// and claims: their names are used as label values.
const maxXRNameLength = 63

// compositeResourceDefinition is the part of a CompositeResourceDefinition
// (v1 or v2) that decides the CRDs Crossplane serves for it. Other fields
// (defaultCompositionRef, connectionSecretKeys, ...) only change how
// Crossplane reconciles.
type compositeResourceDefinition struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        metav1.ObjectMeta `json:"metadata"`
	Spec            struct {
		Group                          string                                         `json:"group"`
		Names                          apiextensionsv1.CustomResourceDefinitionNames  `json:"names"`
		ClaimNames                     *apiextensionsv1.CustomResourceDefinitionNames `json:"claimNames,omitempty"`
		Scope                          string                                         `json:"scope,omitempty"`
		DefaultCompositionUpdatePolicy string                                         `json:"defaultCompositionUpdatePolicy,omitempty"`
		DefaultCompositeDeletePolicy   string                                         `json:"defaultCompositeDeletePolicy,omitempty"`
		Conversion                     *apiextensionsv1.CustomResourceConversion      `json:"conversion,omitempty"`
		Versions                       []xrdVersion                                   `json:"versions"`
	} `json:"spec"`
}

type xrdVersion struct {
	Name                     string                                           `json:"name"`
	Served                   bool                                             `json:"served"`
	Referenceable            bool                                             `json:"referenceable"`
	Deprecated               *bool                                            `json:"deprecated,omitempty"`
	DeprecationWarning       *string                                          `json:"deprecationWarning,omitempty"`
	AdditionalPrinterColumns []apiextensionsv1.CustomResourceColumnDefinition `json:"additionalPrinterColumns,omitempty"`
	Schema                   *struct {
		OpenAPIV3Schema *apiextensionsv1.JSONSchemaProps `json:"openAPIV3Schema"`
	} `json:"schema,omitempty"`
	Subresources *struct {
		Scale *apiextensionsv1.CustomResourceSubresourceScale `json:"scale,omitempty"`
	} `json:"subresources,omitempty"`
}

// CRDsForXRD returns the CustomResourceDefinitions Crossplane creates for the
// CompositeResourceDefinition in data (one YAML or JSON document, of
// apiextensions.crossplane.io/v1 or v2): the XR's CRD, then, for a v1 XRD
// with claimNames, the claim's. Pass them to WithCRD with MarshalCRDs to
// validate XRs and claims as a cluster with the XRD would.
//
// The CRDs are what Crossplane's definition controllers render, as far as
// validation can tell: names, scope, versions (referenceable is the storage
// version), the XRD's schema for spec and status, and the fields Crossplane
// adds to them: spec.crossplane for XRs of v2 scopes, legacy spec fields
// (claimRef, compositionRef, resourceRefs, ...) for LegacyCluster XRs,
// claim fields for claims, and status.conditions for all. Labels,
// annotations and owner references of the CRDs are left out.
func CRDsForXRD(data []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	docs, err := splitYAML(data)
	if err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("want one CompositeResourceDefinition document, got %d", len(docs))
	}
	j, err := yaml.YAMLToJSON(docs[0])
	if err != nil {
		return nil, fmt.Errorf("cannot parse the CompositeResourceDefinition: %w", err)
	}
	return crdsForXRDJSON(j)
}

// CRDsForXRDObject is CRDsForXRD for an XRD already parsed: an
// *unstructured.Unstructured, a map[string]any, or anything else that
// marshals to the XRD's JSON.
func CRDsForXRDObject(obj any) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	m, err := toJSONMap(obj)
	if err != nil {
		return nil, err
	}
	j, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("cannot marshal the CompositeResourceDefinition: %w", err)
	}
	return crdsForXRDJSON(j)
}

// MarshalCRDs returns CRDs as a YAML stream, for WithCRD.
func MarshalCRDs(crds ...*apiextensionsv1.CustomResourceDefinition) ([]byte, error) {
	var out []byte
	for _, crd := range crds {
		b, err := yaml.Marshal(crd)
		if err != nil {
			return nil, fmt.Errorf("cannot marshal CRD %q: %w", crd.Name, err)
		}
		out = append(out, "---\n"...)
		out = append(out, b...)
	}
	return out, nil
}

func crdsForXRDJSON(j []byte) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	d := &compositeResourceDefinition{}
	if err := json.Unmarshal(j, d); err != nil {
		return nil, fmt.Errorf("cannot parse the CompositeResourceDefinition: %w", err)
	}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("CompositeResourceDefinition %q: %w", d.Metadata.Name, err)
	}

	crds := []*apiextensionsv1.CustomResourceDefinition{d.compositeCRD()}
	if d.Spec.ClaimNames != nil {
		crds = append(crds, d.claimCRD())
	}
	return crds, nil
}

// check rejects what Crossplane's XRD CRD and webhook reject and the
// conversion depends on, and applies the API server's defaults, so that a
// broken XRD fails here rather than producing a CRD no cluster would serve.
// The CRDs themselves are checked by NewValidator, as the API server would.
func (d *compositeResourceDefinition) check() error { //nolint:gocognit // Crossplane's XRD rules one after the other, as its webhook applies them.
	if d.Kind != xrdKind || (d.APIVersion != xrdV1 && d.APIVersion != xrdV2) {
		return fmt.Errorf("is a %s %s, not a %s or %s %s", d.APIVersion, d.Kind, xrdV1, xrdV2, xrdKind)
	}
	if d.Spec.DefaultCompositionUpdatePolicy == "" {
		d.Spec.DefaultCompositionUpdatePolicy = defaultCompositionUpdatePolicy
	}
	switch d.APIVersion {
	case xrdV1:
		if d.Spec.Scope == "" {
			d.Spec.Scope = scopeLegacyCluster
		}
		if d.Spec.DefaultCompositeDeletePolicy == "" {
			d.Spec.DefaultCompositeDeletePolicy = defaultCompositeDeletePolicy
		}
		if d.Spec.Scope != scopeLegacyCluster && d.Spec.ClaimNames != nil {
			return errors.New("only LegacyCluster composite resources can offer claims")
		}
	case xrdV2:
		if d.Spec.Scope == "" {
			d.Spec.Scope = scopeNamespaced
		}
		if d.Spec.Scope == scopeLegacyCluster {
			return fmt.Errorf("scope %s is not supported in %s", scopeLegacyCluster, xrdV2)
		}
		if d.Spec.ClaimNames != nil {
			return fmt.Errorf("claims aren't supported in %s", xrdV2)
		}
	}
	switch d.Spec.Scope {
	case scopeNamespaced, scopeCluster, scopeLegacyCluster:
	default:
		return fmt.Errorf("unknown scope %q", d.Spec.Scope)
	}
	if len(d.Spec.Versions) == 0 {
		return errors.New("no versions")
	}
	for _, v := range d.Spec.Versions {
		if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			// Crossplane refuses to render a CRD without one.
			return fmt.Errorf("version %q has no schema.openAPIV3Schema", v.Name)
		}
	}
	if c := d.Spec.ClaimNames; c != nil {
		// Crossplane's claim names check: the claim CRD can't share a
		// name with the XR's.
		n := d.Spec.Names
		for _, p := range [][2]string{{c.Kind, n.Kind}, {c.Plural, n.Plural}, {c.Singular, n.Singular}, {c.ListKind, n.ListKind}} {
			if p[0] != "" && p[0] == p[1] {
				return fmt.Errorf("claim name %q conflicts with the composite resource's", p[0])
			}
		}
	}
	return nil
}

// compositeCRD is the CRD of the XR, named like the XRD.
func (d *compositeResourceDefinition) compositeCRD() *apiextensionsv1.CustomResourceDefinition {
	scope := apiextensionsv1.ClusterScoped
	if d.Spec.Scope == scopeNamespaced {
		scope = apiextensionsv1.NamespaceScoped
	}
	legacy := d.Spec.Scope == scopeLegacyCluster
	crd := d.crd(d.Metadata.Name, scope, d.Spec.Names, categoryXR)
	for _, v := range d.Spec.Versions {
		cv := d.version(v)
		addSchemaProps(cv.Schema.OpenAPIV3Schema, "spec", xrSpecProps(d.Spec.Scope, d.Spec.DefaultCompositionUpdatePolicy))
		addSchemaProps(cv.Schema.OpenAPIV3Schema, "status", statusProps(legacy))
		cv.AdditionalPrinterColumns = append(cv.AdditionalPrinterColumns, xrPrinterColumns(legacy)...)
		crd.Spec.Versions = append(crd.Spec.Versions, *cv)
	}
	return crd
}

// claimCRD is the CRD of the claim, named <claim plural>.<group>. Claims are
// always namespaced.
func (d *compositeResourceDefinition) claimCRD() *apiextensionsv1.CustomResourceDefinition {
	c := d.Spec.ClaimNames
	crd := d.crd(c.Plural+"."+d.Spec.Group, apiextensionsv1.NamespaceScoped, *c, categoryXC)
	for _, v := range d.Spec.Versions {
		cv := d.version(v)
		addSchemaProps(cv.Schema.OpenAPIV3Schema, "spec", claimSpecProps(d.Spec.DefaultCompositeDeletePolicy))
		// Claims get the legacy XR's status fields, claimConditionTypes
		// included (a known quirk of Crossplane's).
		addSchemaProps(cv.Schema.OpenAPIV3Schema, "status", statusProps(true))
		cv.AdditionalPrinterColumns = append(cv.AdditionalPrinterColumns, claimPrinterColumns()...)
		crd.Spec.Versions = append(crd.Spec.Versions, *cv)
	}
	return crd
}

// crd is a CRD with no versions yet.
func (d *compositeResourceDefinition) crd(name string, scope apiextensionsv1.ResourceScope, names apiextensionsv1.CustomResourceDefinitionNames, category string) *apiextensionsv1.CustomResourceDefinition {
	names = *names.DeepCopy()
	names.Categories = append(names.Categories, category)
	crd := &apiextensionsv1.CustomResourceDefinition{
		TypeMeta:   metav1.TypeMeta{APIVersion: crdAPIVersion, Kind: crdKind},
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: d.Spec.Group,
			Names: names,
			Scope: scope,
		},
	}
	if d.Spec.Conversion != nil {
		crd.Spec.Conversion = d.Spec.Conversion.DeepCopy()
	}
	return crd
}

// version is a CRD version for an XRD version, its schema built as Crossplane
// builds it: a fixed root (apiVersion, kind, metadata with a name length
// limit, a required spec, a status) that takes from the XRD's schema only its
// description, its root CEL rules, and what spec and status declare. Other
// root properties of the XRD's schema are dropped.
func (d *compositeResourceDefinition) version(v xrdVersion) *apiextensionsv1.CustomResourceDefinitionVersion {
	s := v.Schema.OpenAPIV3Schema.DeepCopy()
	if s.Properties == nil {
		s.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
	}

	nameLength := int64(maxXRNameLength)
	if l := s.Properties["metadata"].Properties["name"].MaxLength; l != nil && *l < nameLength {
		nameLength = *l
	}

	xSpec, xStatus := s.Properties["spec"], s.Properties["status"]
	spec := apiextensionsv1.JSONSchemaProps{
		Type:                   "object",
		Description:            xSpec.Description,
		Required:               xSpec.Required,
		OneOf:                  xSpec.OneOf,
		XPreserveUnknownFields: xSpec.XPreserveUnknownFields,
		XValidations:           xSpec.XValidations,
		Properties:             copySchemaProps(xSpec.Properties),
	}
	// Unlike spec, status keeps no x-kubernetes-preserve-unknown-fields.
	status := apiextensionsv1.JSONSchemaProps{
		Type:         "object",
		Description:  xStatus.Description,
		Required:     xStatus.Required,
		OneOf:        xStatus.OneOf,
		XValidations: xStatus.XValidations,
		Properties:   copySchemaProps(xStatus.Properties),
	}

	cv := &apiextensionsv1.CustomResourceDefinitionVersion{
		Name:                     v.Name,
		Served:                   v.Served,
		Storage:                  v.Referenceable,
		Deprecated:               v.Deprecated != nil && *v.Deprecated,
		DeprecationWarning:       v.DeprecationWarning,
		AdditionalPrinterColumns: append([]apiextensionsv1.CustomResourceColumnDefinition{}, v.AdditionalPrinterColumns...),
		Subresources:             &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
		Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
			Type:         "object",
			Description:  s.Description,
			Required:     []string{"spec"},
			XValidations: s.XValidations,
			Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"apiVersion": {Type: "string"},
				"kind":       {Type: "string"},
				"metadata": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
					"name": {Type: "string", MaxLength: &nameLength},
				}},
				"spec":   spec,
				"status": status,
			},
		}},
	}
	if v.Subresources != nil && v.Subresources.Scale != nil {
		cv.Subresources.Scale = v.Subresources.Scale.DeepCopy()
	}
	return cv
}

func copySchemaProps(in map[string]apiextensionsv1.JSONSchemaProps) map[string]apiextensionsv1.JSONSchemaProps {
	out := make(map[string]apiextensionsv1.JSONSchemaProps, len(in))
	for k, v := range in {
		out[k] = *v.DeepCopy()
	}
	return out
}

// addSchemaProps sets Crossplane's properties on the root's spec or status.
// They replace properties of the same names from the XRD, as in Crossplane.
func addSchemaProps(root *apiextensionsv1.JSONSchemaProps, field string, props map[string]apiextensionsv1.JSONSchemaProps) {
	p := root.Properties[field]
	for k, v := range props {
		p.Properties[k] = v
	}
	root.Properties[field] = p
}

// Schema building blocks for Crossplane's fields.

func schemaString() apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{Type: "string"}
}

// stringsObject is an object of string properties: the required ones, then
// the optional ones.
func stringsObject(required []string, optional ...string) apiextensionsv1.JSONSchemaProps {
	o := apiextensionsv1.JSONSchemaProps{Type: "object", Required: required, Properties: map[string]apiextensionsv1.JSONSchemaProps{}}
	for _, n := range append(append([]string{}, required...), optional...) {
		o.Properties[n] = schemaString()
	}
	return o
}

// stringEnum is a string enum with an optional default.
func stringEnum(def string, values ...string) apiextensionsv1.JSONSchemaProps {
	e := schemaString()
	for _, v := range values {
		e.Enum = append(e.Enum, apiextensionsv1.JSON{Raw: []byte(fmt.Sprintf("%q", v))})
	}
	if def != "" {
		e.Default = &apiextensionsv1.JSON{Raw: []byte(fmt.Sprintf("%q", def))}
	}
	return e
}

// matchLabelsSelector is Crossplane's {matchLabels: {string: string}}
// selector.
func matchLabelsSelector() apiextensionsv1.JSONSchemaProps {
	return apiextensionsv1.JSONSchemaProps{
		Type:     "object",
		Required: []string{"matchLabels"},
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"matchLabels": {
				Type:                 "object",
				AdditionalProperties: &apiextensionsv1.JSONSchemaPropsOrBool{Allows: true, Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}},
			},
		},
	}
}

// compositionProps are the composition fields XRs and claims share.
func compositionProps(updatePolicyDefault string) map[string]apiextensionsv1.JSONSchemaProps {
	return map[string]apiextensionsv1.JSONSchemaProps{
		"compositionRef":              stringsObject([]string{"name"}),
		"compositionSelector":         matchLabelsSelector(),
		"compositionRevisionRef":      stringsObject([]string{"name"}),
		"compositionRevisionSelector": matchLabelsSelector(),
		"compositionUpdatePolicy":     stringEnum(updatePolicyDefault, "Automatic", "Manual"),
	}
}

// xrSpecProps are the spec fields Crossplane adds to an XR: directly under
// spec for LegacyCluster XRs, with claimRef and writeConnectionSecretToRef;
// under spec.crossplane otherwise. A namespaced XR's resourceRefs have no
// namespace: it composes only in its own.
func xrSpecProps(scope, updatePolicyDefault string) map[string]apiextensionsv1.JSONSchemaProps {
	props := compositionProps(updatePolicyDefault)
	ref := stringsObject([]string{"apiVersion", "kind"}, "name", "namespace")
	if scope == scopeNamespaced {
		ref = stringsObject([]string{"apiVersion", "kind"}, "name")
	}
	atomic := "atomic"
	props["resourceRefs"] = apiextensionsv1.JSONSchemaProps{
		Type:      "array",
		Items:     &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &ref},
		XListType: &atomic,
	}
	if scope == scopeLegacyCluster {
		props["claimRef"] = stringsObject([]string{"apiVersion", "kind", "namespace", "name"})
		props["writeConnectionSecretToRef"] = stringsObject([]string{"name", "namespace"})
		return props
	}
	return map[string]apiextensionsv1.JSONSchemaProps{
		"crossplane": {
			Type:        "object",
			Description: "Configures how Crossplane will reconcile this composite resource",
			Properties:  props,
		},
	}
}

// claimSpecProps are the spec fields Crossplane adds to a claim. Its
// compositionUpdatePolicy has no default: the XR's applies.
func claimSpecProps(deletePolicyDefault string) map[string]apiextensionsv1.JSONSchemaProps {
	props := compositionProps("")
	props["compositeDeletePolicy"] = stringEnum(deletePolicyDefault, "Background", "Foreground")
	props["resourceRef"] = stringsObject([]string{"apiVersion", "kind", "name"})
	props["writeConnectionSecretToRef"] = stringsObject([]string{"name"})
	return props
}

// statusProps are the status fields Crossplane adds: conditions for every XR
// and claim, connection details and claim condition types for legacy XRs and
// claims.
func statusProps(legacy bool) map[string]apiextensionsv1.JSONSchemaProps {
	condition := stringsObject([]string{"lastTransitionTime", "reason", "status", "type"}, "message")
	condition.Properties["lastTransitionTime"] = apiextensionsv1.JSONSchemaProps{Type: "string", Format: "date-time"}
	condition.Properties["observedGeneration"] = apiextensionsv1.JSONSchemaProps{Type: "integer", Format: "int64"}
	mapList, set := "map", "set"
	props := map[string]apiextensionsv1.JSONSchemaProps{
		"conditions": {
			Description:  "Conditions of the resource.",
			Type:         "array",
			Items:        &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &condition},
			XListType:    &mapList,
			XListMapKeys: []string{"type"},
		},
	}
	if legacy {
		props["connectionDetails"] = apiextensionsv1.JSONSchemaProps{
			Type: "object",
			Properties: map[string]apiextensionsv1.JSONSchemaProps{
				"lastPublishedTime": {Type: "string", Format: "date-time"},
			},
		}
		props["claimConditionTypes"] = apiextensionsv1.JSONSchemaProps{
			Type:      "array",
			Items:     &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{Type: "string"}},
			XListType: &set,
		}
	}
	return props
}

// Printer columns only matter to kubectl, but the API server checks their
// JSON paths, so a generated CRD carries them.

func printerColumn(name, path string, priority int32) apiextensionsv1.CustomResourceColumnDefinition {
	typ := "string"
	if name == "AGE" {
		typ = "date"
	}
	return apiextensionsv1.CustomResourceColumnDefinition{Name: name, Type: typ, JSONPath: path, Priority: priority}
}

func xrPrinterColumns(legacy bool) []apiextensionsv1.CustomResourceColumnDefinition {
	prefix := ".spec.crossplane"
	if legacy {
		prefix = ".spec"
	}
	return []apiextensionsv1.CustomResourceColumnDefinition{
		printerColumn("SYNCED", ".status.conditions[?(@.type=='Synced')].status", 0),
		printerColumn("READY", ".status.conditions[?(@.type=='Ready')].status", 0),
		printerColumn("COMPOSITION", prefix+".compositionRef.name", 0),
		printerColumn("COMPOSITIONREVISION", prefix+".compositionRevisionRef.name", 1),
		printerColumn("AGE", ".metadata.creationTimestamp", 0),
	}
}

func claimPrinterColumns() []apiextensionsv1.CustomResourceColumnDefinition {
	return []apiextensionsv1.CustomResourceColumnDefinition{
		printerColumn("SYNCED", ".status.conditions[?(@.type=='Synced')].status", 0),
		printerColumn("READY", ".status.conditions[?(@.type=='Ready')].status", 0),
		printerColumn("CONNECTION-SECRET", ".spec.writeConnectionSecretToRef.name", 0),
		printerColumn("AGE", ".metadata.creationTimestamp", 0),
	}
}
