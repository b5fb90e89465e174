package spec

import (
	"bytes"
	"encoding/json"
	"fmt"

	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
)

// The pool spec of KServe's two API versions differs in shape. v1alpha1
// embeds the Gateway API Inference Extension's
// inference.networking.x-k8s.io/v1alpha2 InferencePoolSpec (a flat
// selector, targetPortNumber, extensionRef), v1alpha2 the
// inference.networking.k8s.io/v1 one (selector.matchLabels, targetPorts,
// endpointPickerRef, appProtocol). Crossplane converts nothing between the
// versions of an XRD and the API server prunes what the version it reads
// at does not declare, so PoolSpec declares both shapes and both versions
// of the XRDs share it: a pool spec written in either shape is kept
// whichever version it is read at. The function reads either shape into
// one form, the v1 shape it composes (PoolSpec.V1).

// PoolSpec is a managed pool's spec in the shape of either API version.
// Each setting may be written in one shape only; the fields that are the
// same setting in the two shapes exclude each other.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.targetPortNumber) && has(self.targetPorts))",message="targetPortNumber (the v1alpha1 shape) and targetPorts (the v1alpha2 shape) are the same setting: set one"
// +kubebuilder:validation:XValidation:rule="!(has(self.extensionRef) && has(self.endpointPickerRef))",message="extensionRef (the v1alpha1 shape) and endpointPickerRef (the v1alpha2 shape) are the same setting: set one"
type PoolSpec struct {
	// Selector of the model-server pods; defaults to the workload labels.
	// +optional
	Selector *PoolSelector `json:"selector,omitempty"`

	// TargetPorts are the ports the pool sends traffic to (v1alpha2).
	// +optional
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:XValidation:message="port number must be unique",rule="self.all(p1, self.exists_one(p2, p1.number==p2.number))"
	// +listType=atomic
	TargetPorts []giev1.Port `json:"targetPorts,omitempty"`

	// AppProtocol of the target ports (v1alpha2): http (HTTP/1.1) or
	// kubernetes.io/h2c.
	// +optional
	// +kubebuilder:validation:Enum=http;"kubernetes.io/h2c"
	AppProtocol giev1.AppProtocol `json:"appProtocol,omitempty"`

	// EndpointPickerRef is the endpoint picker (v1alpha2).
	// +optional
	EndpointPickerRef *PoolEndpointPickerRef `json:"endpointPickerRef,omitempty"`

	// TargetPortNumber is the port the pool sends traffic to (v1alpha1).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	TargetPortNumber *int32 `json:"targetPortNumber,omitempty"`

	// ExtensionRef is the endpoint picker (v1alpha1).
	// +optional
	ExtensionRef *PoolExtensionRef `json:"extensionRef,omitempty"`
}

// matchLabelsKey is the v1alpha2 shape's one key of the selector.
const matchLabelsKey = "matchLabels"

// PoolSelector is the pool's selector in the shape of either version:
// selector.matchLabels (v1alpha2), or the labels right under selector
// (v1alpha1). Its schema declares matchLabels and keeps every other key as
// it is, since the flat labels' keys are the user's; the function checks
// them. A flat label cannot be called matchLabels.
//
// +kubebuilder:pruning:PreserveUnknownFields
type PoolSelector struct {
	// MatchLabels the pods must carry (v1alpha2).
	// +optional
	// +kubebuilder:validation:MinProperties=1
	// +kubebuilder:validation:MaxProperties=64
	MatchLabels map[string]string `json:"matchLabels,omitempty"`

	// Labels the pods must carry, written right under selector
	// (v1alpha1). Not a field of the schema: every key but matchLabels.
	Labels map[string]string `json:"-"`
}

// UnmarshalJSON reads either shape. A present but empty matchLabels is
// kept as an empty map, so that spec.Validate can refuse it as the schema
// does.
func (s *PoolSelector) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("selector must be an object of labels: %w", err)
	}
	*s = PoolSelector{}
	for k, v := range raw {
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue // null removes a label a lower layer set.
		}
		if k == matchLabelsKey {
			if err := json.Unmarshal(v, &s.MatchLabels); err != nil {
				return fmt.Errorf("selector.matchLabels must be an object of label keys and string values: %w", err)
			}
			if s.MatchLabels == nil {
				s.MatchLabels = map[string]string{}
			}
			continue
		}
		var val string
		if err := json.Unmarshal(v, &val); err != nil {
			return fmt.Errorf("selector label %q must have a string value (or write the labels under selector.matchLabels): %w", k, err)
		}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[k] = val
	}
	return nil
}

// MarshalJSON writes the shapes that were read: the flat labels and
// matchLabels side by side.
func (s PoolSelector) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(s.Labels)+1)
	for k, v := range s.Labels {
		m[k] = v
	}
	if s.MatchLabels != nil {
		m[matchLabelsKey] = s.MatchLabels
	}
	return json.Marshal(m)
}

// PoolEndpointPickerRef is the v1 pool's endpointPickerRef: the endpoint
// picker Service (v1alpha2). Every field overrides the composed one, which
// points at the picker the function composes; none is required. The kind
// is "Service" when unset, as in Gateway API Inference Extension, but the
// schema gives no default: a default would make the objects composed on a
// cluster differ from those crossplane render shows, and no failure mode
// is defaulted so that the Function input's applies.
//
// +kubebuilder:validation:XValidation:rule="(has(self.kind) && self.kind != 'Service') || has(self.port)",message="port is required when kind is 'Service' or unspecified (defaults to 'Service')"
type PoolEndpointPickerRef struct {
	// Group of the referent; the core group when unset.
	// +optional
	Group *giev1.Group `json:"group,omitempty"`
	// Kind of the referent; Service when unset.
	// +optional
	Kind giev1.Kind `json:"kind,omitempty"`
	// Name of the referent.
	// +optional
	Name giev1.ObjectName `json:"name,omitempty"`
	// Port of the picker Service's ext-proc endpoint.
	// +optional
	Port *giev1.Port `json:"port,omitempty"`
	// FailureMode is what the gateway does when the picker does not
	// answer: FailOpen or FailClose.
	// +optional
	FailureMode giev1.EndpointPickerFailureMode `json:"failureMode,omitempty"`
}

// PoolExtensionRef is the v1alpha2 pool's extensionRef: the endpoint
// picker Service (v1alpha1).
type PoolExtensionRef struct {
	// +optional
	Group *string `json:"group,omitempty"`
	// +optional
	Kind *string `json:"kind,omitempty"`
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	PortNumber *int32 `json:"portNumber,omitempty"`
	// +optional
	// +kubebuilder:validation:Enum=FailOpen;FailClose
	FailureMode *string `json:"failureMode,omitempty"`
}

// PoolOverrides are the settings of a pool spec the user wrote, in the v1
// shape whichever shape they were written in; a zero field is not set.
type PoolOverrides struct {
	MatchLabels    map[string]string
	TargetPorts    []giev1.Port
	AppProtocol    giev1.AppProtocol
	EndpointPicker *PoolEndpointPickerRef
}

// V1 reads the pool spec into the v1 shape, translating what was written
// in the v1alpha1 shape as KServe's conversion does: the flat selector is
// matchLabels, targetPortNumber the one target port, extensionRef's
// portNumber the picker's port. spec.Validate refuses a setting written in
// both shapes; should both be set anyway, the v1 shape wins.
func (p *PoolSpec) V1() PoolOverrides {
	o := PoolOverrides{TargetPorts: p.TargetPorts, AppProtocol: p.AppProtocol, EndpointPicker: p.EndpointPickerRef}
	if s := p.Selector; s != nil {
		o.MatchLabels = s.MatchLabels
		if len(o.MatchLabels) == 0 {
			o.MatchLabels = s.Labels
		}
	}
	if len(o.TargetPorts) == 0 && p.TargetPortNumber != nil {
		o.TargetPorts = []giev1.Port{{Number: giev1.PortNumber(*p.TargetPortNumber)}}
	}
	if o.EndpointPicker == nil && p.ExtensionRef != nil {
		o.EndpointPicker = p.ExtensionRef.v1()
	}
	return o
}

// v1 is the extensionRef as an endpointPickerRef.
func (r *PoolExtensionRef) v1() *PoolEndpointPickerRef {
	out := &PoolEndpointPickerRef{Name: giev1.ObjectName(r.Name)}
	if r.Group != nil {
		g := giev1.Group(*r.Group)
		out.Group = &g
	}
	if r.Kind != nil {
		out.Kind = giev1.Kind(*r.Kind)
	}
	if r.PortNumber != nil {
		out.Port = &giev1.Port{Number: giev1.PortNumber(*r.PortNumber)}
	}
	if r.FailureMode != nil {
		out.FailureMode = giev1.EndpointPickerFailureMode(*r.FailureMode)
	}
	return out
}
