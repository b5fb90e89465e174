package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// KServe's v1alpha2 has no criticality field. Its conversion from v1alpha1
// keeps spec.model.criticality and spec.model.lora.adapters[].criticality
// in these annotations, so a manifest read from a KServe cluster at
// v1alpha2 carries them there. The function honours them as it honours the
// fields: the model's criticality chooses the InferenceObjective, an
// adapter's is accepted with a Warning (see Warnings).
const (
	// AnnotationModelCriticality holds spec.model.criticality.
	AnnotationModelCriticality = "internal.serving.kserve.io/model-criticality"
	// AnnotationLoRACriticalities holds the adapters' criticalities as a
	// JSON object of adapter index to criticality: {"0": "Critical"}.
	AnnotationLoRACriticalities = "internal.serving.kserve.io/lora-criticalities"
)

// annotationPath is where an annotation of the XR is, for messages.
func annotationPath(name string) *field.Path {
	return field.NewPath("metadata", "annotations").Key(name)
}

// annotatedModelCriticality is the model's criticality from its
// annotation: nil without one, an error list when the value is not a
// criticality.
func annotatedModelCriticality(ann map[string]string) (*Criticality, field.ErrorList) {
	v, ok := ann[AnnotationModelCriticality]
	if !ok {
		return nil, nil
	}
	c := Criticality(v)
	if !slices.Contains(Criticalities, c) {
		return nil, field.ErrorList{field.NotSupported(annotationPath(AnnotationModelCriticality), v, Criticalities)}
	}
	return &c, nil
}

// annotatedLoRACriticalities are the adapters' criticalities from their
// annotation, by index into spec.model.lora.adapters; adapters is how
// many there are. A value that is not a JSON object of adapter indexes to
// criticalities is an error list naming the annotation.
func annotatedLoRACriticalities(ann map[string]string, adapters int) (map[int]Criticality, field.ErrorList) {
	v, ok := ann[AnnotationLoRACriticalities]
	if !ok {
		return nil, nil
	}
	p := annotationPath(AnnotationLoRACriticalities)
	d := json.NewDecoder(bytes.NewReader([]byte(v)))
	var m map[string]string
	if err := d.Decode(&m); err != nil || m == nil || d.More() {
		detail := `must be a JSON object of LoRA adapter index to criticality, e.g. {"0": "Critical"}`
		if err != nil {
			detail += fmt.Sprintf(": %v", err)
		}
		return nil, field.ErrorList{field.Invalid(p, v, detail)}
	}
	var errs field.ErrorList
	out := make(map[int]Criticality, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		i, err := strconv.Atoi(k)
		switch {
		case err != nil || i < 0 || strconv.Itoa(i) != k:
			errs = append(errs, field.Invalid(p, v, fmt.Sprintf("key %q is not the index of an adapter in spec.model.lora.adapters", k)))
			continue
		case i >= adapters:
			errs = append(errs, field.Invalid(p, v, fmt.Sprintf("key %q: spec.model.lora.adapters has %d adapters, so there is no adapter %d", k, adapters, i)))
			continue
		}
		c := Criticality(m[k])
		if !slices.Contains(Criticalities, c) {
			errs = append(errs, field.Invalid(p, v, fmt.Sprintf("adapter %d: %q is not a criticality: supported values: %q, %q, %q", i, m[k], Criticalities[0], Criticalities[1], Criticalities[2])))
			continue
		}
		out[i] = c
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// applyCriticalityAnnotations fills the criticalities the spec leaves
// unset from the annotations, so that the rest of the function reads one
// field whichever version the manifest was written in. A malformed
// annotation changes nothing: spec.Validate refuses it, and so does a
// value that contradicts the spec's own.
func (s *Service) applyCriticalityAnnotations() {
	m := &s.Spec.Model
	if c, errs := annotatedModelCriticality(s.Annotations); len(errs) == 0 && c != nil && m.Criticality == nil {
		m.Criticality = c
	}
	if m.LoRA == nil {
		return
	}
	cs, errs := annotatedLoRACriticalities(s.Annotations, len(m.LoRA.Adapters))
	if len(errs) > 0 {
		return
	}
	for i, c := range cs {
		if a := &m.LoRA.Adapters[i]; a.Criticality == nil {
			a.Criticality = &c
		}
	}
}

// validateCriticalityAnnotations refuses criticality annotations that are
// malformed or that contradict the spec's own criticality fields: the
// annotations are how v1alpha2 keeps those fields, so both set to
// different values is one setting said twice, differently.
func validateCriticalityAnnotations(svc *Service) field.ErrorList {
	m := &svc.Spec.Model
	c, errs := annotatedModelCriticality(svc.Annotations)
	if c != nil && m.Criticality != nil && *c != *m.Criticality {
		errs = append(errs, field.Invalid(annotationPath(AnnotationModelCriticality), string(*c),
			fmt.Sprintf("contradicts spec.model.criticality %q: both are the model's criticality (the annotation is how KServe's v1alpha2 keeps v1alpha1's field); remove one", *m.Criticality)))
	}
	if _, ok := svc.Annotations[AnnotationLoRACriticalities]; !ok {
		return errs
	}
	var adapters []LoRAAdapterSpec
	if m.LoRA != nil {
		adapters = m.LoRA.Adapters
	}
	cs, lerrs := annotatedLoRACriticalities(svc.Annotations, len(adapters))
	errs = append(errs, lerrs...)
	for _, i := range slices.Sorted(maps.Keys(cs)) {
		if a := adapters[i]; a.Criticality != nil && *a.Criticality != cs[i] {
			errs = append(errs, field.Invalid(annotationPath(AnnotationLoRACriticalities), svc.Annotations[AnnotationLoRACriticalities],
				fmt.Sprintf("adapter %d: %q contradicts spec.model.lora.adapters[%d].criticality %q; remove one", i, cs[i], i, *a.Criticality)))
		}
	}
	return errs
}
