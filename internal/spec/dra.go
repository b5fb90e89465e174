package spec

import (
	"fmt"
	"strconv"
	"strings"

	resourcev1 "k8s.io/api/resource/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// KServe's managed DRA is switched on by annotations on the service, not by
// spec fields (it is experimental there): the device class turns it on,
// the others refine it.
const (
	// AnnotationDRADeviceClass is the DeviceClass the model-server pods
	// claim devices of.
	AnnotationDRADeviceClass = "serving.kserve.io/exp-dra-device-class"
	// AnnotationDRADeviceCount is how many devices each pod claims, 1 by
	// default.
	AnnotationDRADeviceCount = "serving.kserve.io/exp-dra-device-count"
	// AnnotationDRACELSelector holds CEL expressions the devices must
	// satisfy, one a line.
	AnnotationDRACELSelector = "serving.kserve.io/exp-dra-cel-selector"
	// AnnotationDRAContainerName is the container the devices are given
	// to; the vLLM container by default.
	AnnotationDRAContainerName = "serving.kserve.io/exp-dra-container-name"
)

// ManagedDRA is what the managed DRA annotations ask for: Count devices of
// DeviceClass, matching every one of Selectors, for each model-server pod.
type ManagedDRA struct {
	DeviceClass string
	Count       int64
	Selectors   []string
	// Container is the container the annotation names, or "" for the vLLM
	// container. KServe gives the devices to the pod's first container,
	// which may be a user's sidecar; here the default is vLLM's.
	Container string
}

// ManagedDRAOf reads the managed DRA annotations: nil without a device
// class, and the refusals of every bad value, each naming its annotation.
// spec.Validate refuses what it returns as errors, so a builder may ignore
// them.
func ManagedDRAOf(ann map[string]string) (*ManagedDRA, field.ErrorList) {
	class, on := ann[AnnotationDRADeviceClass]
	if !on {
		var errs field.ErrorList
		for _, a := range []string{AnnotationDRADeviceCount, AnnotationDRACELSelector, AnnotationDRAContainerName} {
			if v, ok := ann[a]; ok {
				errs = append(errs, field.Invalid(annotationPath(a), v,
					fmt.Sprintf("only takes effect with the annotation %s, which names the DeviceClass to claim devices of: set it, or remove %s", AnnotationDRADeviceClass, a)))
			}
		}
		return nil, errs
	}
	d := &ManagedDRA{DeviceClass: strings.TrimSpace(class), Count: 1}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(d.DeviceClass) {
		errs = append(errs, field.Invalid(annotationPath(AnnotationDRADeviceClass), class, "must name a DeviceClass, e.g. gpu.nvidia.com: "+msg))
	}
	if v, ok := ann[AnnotationDRADeviceCount]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch {
		case err != nil || n < 1:
			errs = append(errs, field.Invalid(annotationPath(AnnotationDRADeviceCount), v, "must be a whole number of devices per pod, at least 1, e.g. \"2\""))
		case n > resourcev1.AllocationResultsMaxSize:
			// The scheduler allocates at most this many devices to a
			// claim, so the pods would never be scheduled.
			errs = append(errs, field.Invalid(annotationPath(AnnotationDRADeviceCount), v,
				fmt.Sprintf("a ResourceClaim is allocated at most %d devices: ask for %d or fewer per pod", resourcev1.AllocationResultsMaxSize, resourcev1.AllocationResultsMaxSize)))
		default:
			d.Count = n
		}
	}
	if v, ok := ann[AnnotationDRACELSelector]; ok {
		d.Selectors, errs = celSelectors(v, errs)
	}
	if v, ok := ann[AnnotationDRAContainerName]; ok {
		d.Container = strings.TrimSpace(v)
		for _, msg := range validation.IsDNS1123Label(d.Container) {
			errs = append(errs, field.Invalid(annotationPath(AnnotationDRAContainerName), v, "must name a container of the model-server pods, e.g. main: "+msg))
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return d, nil
}

// celSelectors splits the CEL selector annotation v into its expressions,
// one a line, blank lines dropped, appending to errs what the API server
// would refuse of them. Whether each compiles is the API server's to say
// when the ResourceClaimTemplate is applied.
func celSelectors(v string, errs field.ErrorList) ([]string, field.ErrorList) {
	p := annotationPath(AnnotationDRACELSelector)
	var out []string
	for l := range strings.SplitSeq(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	switch {
	case len(out) == 0:
		errs = append(errs, field.Invalid(p, v, `must hold at least one CEL expression, one a line, e.g. device.attributes["gpu.nvidia.com"].productName == "NVIDIA H100"; remove the annotation to select any device of the class`))
	case len(out) > resourcev1.DeviceSelectorsMaxSize:
		errs = append(errs, field.Invalid(p, v, fmt.Sprintf("holds %d CEL expressions; a device request takes at most %d: join some with &&", len(out), resourcev1.DeviceSelectorsMaxSize)))
	}
	for i, e := range out {
		if len(e) > resourcev1.CELSelectorExpressionMaxLength {
			errs = append(errs, field.Invalid(p, fmt.Sprintf("line %d", i+1), fmt.Sprintf("a CEL expression may be at most %d characters long", resourcev1.CELSelectorExpressionMaxLength)))
		}
	}
	return out, errs
}

// validateManagedDRA refuses bad managed DRA annotations.
func validateManagedDRA(svc *Service) field.ErrorList {
	_, errs := ManagedDRAOf(svc.Annotations)
	return errs
}
