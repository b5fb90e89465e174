package spec

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	sigsjson "sigs.k8s.io/json"
)

// Labels Crossplane sets on a legacy XR made for a claim.
const (
	LabelClaimName      = "crossplane.io/claim-name"
	LabelClaimNamespace = "crossplane.io/claim-namespace"
)

const (
	errNoSpec         = "the composite resource has no spec"
	errNoNamespace    = "cannot determine the namespace to compose into: the composite resource is cluster scoped, was not made for a claim (no " + LabelClaimNamespace + " label), and the Function input sets no namespace"
	errFmtDecodeSpec  = "cannot decode spec"
	errFmtMarshalSpec = "cannot marshal spec"
)

// crossplaneFields are spec fields Crossplane itself adds to composite
// resources (spec.crossplane on v2 XRs, the legacy fields on v1 XRs). They are
// not part of the LLMInferenceService API and are never reported as unknown.
var crossplaneFields = map[string]bool{
	"crossplane":                  true,
	"claimRef":                    true,
	"compositionRef":              true,
	"compositionRevisionRef":      true,
	"compositionRevisionSelector": true,
	"compositionSelector":         true,
	"compositionUpdatePolicy":     true,
	"environmentConfigRefs":       true,
	"publishConnectionDetailsTo":  true,
	"resourceRefs":                true,
	"writeConnectionSecretToRef":  true,
}

// WithoutCrossplaneFields returns spec without the fields Crossplane adds:
// the part of the spec the LLMInferenceService API defines.
func WithoutCrossplaneFields(spec map[string]any) map[string]any {
	out := make(map[string]any, len(spec))
	for k, v := range spec {
		if !crossplaneFields[k] {
			out[k] = v
		}
	}
	return out
}

// Object is the metadata of the composite resource the function needs.
type Object struct {
	Name        string
	Namespace   string
	Labels      map[string]string
	Annotations map[string]string
}

// Service is the decoded LLMInferenceService: who it is, where its resources
// go, and its spec, both typed and as the raw JSON the user wrote (needed to
// merge pod templates with strategic-merge semantics, which must only see the
// fields the user actually set).
type Service struct {
	// Name children derive their names from: the claim's name for a legacy
	// XR made for a claim, else the XR's name.
	Name string
	// Namespace composed resources go to.
	Namespace string
	// Labels and Annotations of the XR (or claim), for propagation.
	Labels      map[string]string
	Annotations map[string]string

	Spec LLMInferenceServiceSpec
	// Raw is the spec as written, Crossplane's own fields removed.
	Raw map[string]any
	// Unknown lists spec fields that are not part of the API, sorted.
	Unknown []string
	// Platform is what the Function input says of the platform's Gateway;
	// Decode leaves it zero and the plan sets it.
	Platform Platform
	// PickerConfigRef is the EndpointPickerConfig text of the ConfigMap
	// key spec.router.scheduler.config.ref names, which the plan reads
	// from the cluster; empty without a ref.
	PickerConfigRef string
}

// Decode reads the LLMInferenceService from a composite resource's metadata
// and spec. It works whatever the XR's group, version and kind: only
// metadata and spec are read, and the spec's types take both API versions.
// The criticalities KServe's v1alpha2 keeps in annotations fill the
// criticality fields the spec leaves unset. defaultNamespace is used for a
// cluster scoped XR not made for a claim.
func Decode(meta Object, spec map[string]any, defaultNamespace string) (*Service, error) {
	if spec == nil {
		return nil, errors.New(errNoSpec)
	}
	s := &Service{
		Name:        meta.Name,
		Namespace:   meta.Namespace,
		Labels:      meta.Labels,
		Annotations: meta.Annotations,
		Raw:         make(map[string]any, len(spec)),
	}
	// A legacy XR made for a claim is cluster scoped: compose into the
	// claim's namespace, with names the claim's owner recognises.
	if s.Namespace == "" {
		if ns := meta.Labels[LabelClaimNamespace]; ns != "" {
			s.Namespace = ns
			if n := meta.Labels[LabelClaimName]; n != "" {
				s.Name = n
			}
		}
	}
	if s.Namespace == "" {
		s.Namespace = defaultNamespace
	}
	if s.Namespace == "" {
		return nil, errors.New(errNoNamespace)
	}

	for k, v := range spec {
		if !crossplaneFields[k] {
			s.Raw[k] = v
		}
	}
	b, err := json.Marshal(s.Raw)
	if err != nil {
		return nil, errors.Wrap(err, errFmtMarshalSpec)
	}
	strict, err := sigsjson.UnmarshalStrict(b, &s.Spec)
	if err != nil {
		return nil, errors.Wrap(err, errFmtDecodeSpec)
	}
	for _, e := range strict {
		s.Unknown = append(s.Unknown, "spec."+strictErrorField(e))
	}
	sort.Strings(s.Unknown)
	s.applyCriticalityAnnotations()
	return s, nil
}

// strictErrorField returns the field path of an error from
// sigs.k8s.io/json's UnmarshalStrict: `unknown field "a.b"` gives `a.b`.
func strictErrorField(err error) string {
	msg := strings.TrimPrefix(err.Error(), "unknown field ")
	msg = strings.TrimPrefix(msg, "duplicate field ")
	return strings.Trim(msg, `"`)
}
