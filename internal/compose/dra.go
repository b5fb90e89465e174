package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
	corev1 "k8s.io/api/core/v1"
	resourcev1 "k8s.io/api/resource/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Managed DRA: what KServe composes for the serving.kserve.io/exp-dra-*
// annotations.
const (
	// resourceManagedDRA is the stem of the ResourceClaimTemplate's
	// composition resource name.
	resourceManagedDRA = "managed-dra"
	// draClaimName is the pod's and the container's name for the claim.
	draClaimName = "managed-device"
	// draRequestName is the template's one device request.
	draRequestName = "device"
)

// managedDRA is what the service's managed DRA annotations ask for, or nil.
// spec.Validate has refused bad values.
func (b *builder) managedDRA() *spec.ManagedDRA {
	d, _ := spec.ManagedDRAOf(b.svc.Annotations)
	return d
}

// draTarget is the container that gets the devices: the annotated one, else
// vLLM's (KServe's default, index 0, may be a user's sidecar).
func draTarget(d *spec.ManagedDRA) string {
	if d.Container != "" {
		return d.Container
	}
	return wiring.MainContainer
}

// draTemplateSpec is the ResourceClaimTemplate's spec: one request for
// Count devices of the class (count only when above 1, as KServe writes
// it), each matching every selector.
func draTemplateSpec(d *spec.ManagedDRA) resourcev1.ResourceClaimTemplateSpec {
	ex := &resourcev1.ExactDeviceRequest{DeviceClassName: d.DeviceClass}
	if d.Count > 1 {
		ex.Count = d.Count
	}
	for _, s := range d.Selectors {
		ex.Selectors = append(ex.Selectors, resourcev1.DeviceSelector{CEL: &resourcev1.CELDeviceSelector{Expression: s}})
	}
	return resourcev1.ResourceClaimTemplateSpec{Spec: resourcev1.ResourceClaimSpec{Devices: resourcev1.DeviceClaim{
		Requests: []resourcev1.DeviceRequest{{Name: draRequestName, Exactly: ex}},
	}}}
}

// draSuffix names the template after a digest of its spec. The API server
// refuses any change to a ResourceClaimTemplate's spec, so a changed
// annotation must make a new template: its own name and composition
// resource name, so Crossplane creates it and deletes the old one, and the
// pods' reference to it rolls the workloads. KServe keeps one name and
// cannot apply the change. Pods already running keep the claims made from
// the old template until they are replaced.
func draSuffix(d *spec.ManagedDRA) string {
	b, _ := json.Marshal(draTemplateSpec(d)) // Plain structs: cannot fail.
	h := sha256.Sum256(b)
	return resourceManagedDRA + "-" + hex.EncodeToString(h[:])[:8]
}

// draTemplateName is the ResourceClaimTemplate's name.
func (b *builder) draTemplateName(d *spec.ManagedDRA) string {
	return names.Child(b.svc.Name, draSuffix(d))
}

// managedDRATemplate composes the ResourceClaimTemplate the model-server
// pods claim their devices from, when the annotations ask for one.
func (b *builder) managedDRATemplate() (Object, bool) {
	d := b.managedDRA()
	if d == nil {
		return Object{}, false
	}
	t := &resourcev1.ResourceClaimTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: resourcev1.SchemeGroupVersion.String(), Kind: "ResourceClaimTemplate"},
		ObjectMeta: b.objectMeta(b.draTemplateName(d), componentWorkload),
		Spec:       draTemplateSpec(d),
	}
	return Object{Name: resource.Name(draSuffix(d)), Object: t}, true
}

// addManagedDRA gives a merged model-server pod the managed claim: the
// pod's resourceClaims entry and the target container's resources.claims.
// where is the template (or worker) the pod comes from. A container name
// the pod does not have is refused: KServe then adds only the pod's claim,
// which allocates devices no container can use.
func (b *builder) addManagedDRA(pod *corev1.PodSpec, where *field.Path) field.ErrorList {
	d := b.managedDRA()
	if d == nil {
		return nil
	}
	target := draTarget(d)
	c := wiring.Container(pod, target)
	if c == nil {
		have := make([]string, len(pod.Containers))
		for i := range pod.Containers {
			have[i] = pod.Containers[i].Name
		}
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "annotations").Key(spec.AnnotationDRAContainerName), target,
			fmt.Sprintf("names no container of the pods of %s, which has %s: name one of them, or remove the annotation to give the devices to vLLM's container %q",
				where, strings.Join(have, ", "), wiring.MainContainer))}
	}
	claim := corev1.PodResourceClaim{Name: draClaimName, ResourceClaimTemplateName: ptr.To(b.draTemplateName(d))}
	set := false
	for i := range pod.ResourceClaims {
		if pod.ResourceClaims[i].Name == draClaimName {
			pod.ResourceClaims[i], set = claim, true
		}
	}
	if !set {
		pod.ResourceClaims = append(pod.ResourceClaims, claim)
	}
	for _, rc := range c.Resources.Claims {
		if rc.Name == draClaimName {
			return nil
		}
	}
	c.Resources.Claims = append(c.Resources.Claims, corev1.ResourceClaim{Name: draClaimName})
	return nil
}

// draGPUs is how many GPUs a pod's vLLM container holds through the
// managed claim: the device count when the claim is vLLM's, else none and
// false. The devices of the managed claim are then the container's GPUs,
// so the GPU arithmetic and the status count them.
func (b *builder) draGPUs(main *corev1.Container) (int64, bool) {
	d := b.managedDRA()
	if d == nil || draTarget(d) != wiring.MainContainer || main == nil {
		return 0, false
	}
	return d.Count, true
}

// podGPUs gives a merged model-server pod its managed DRA claim, if any,
// and checks the GPUs its vLLM container main holds against the need of
// its ranks.
func (b *builder) podGPUs(pod *corev1.PodSpec, main *corev1.Container, need int64, how string, par, where *field.Path) field.ErrorList {
	if errs := b.addManagedDRA(pod, where); len(errs) > 0 {
		return errs
	}
	return b.checkServingGPUs(main, need, how, par, where)
}

// checkServingGPUs compares the GPUs a pod's ranks need with those its
// vLLM container holds: its extended GPU resource (checkGPUs), or the
// devices of the managed claim. A vLLM container with both would hold two
// sets of GPUs and see them all; that is refused, as is a device count
// other than what the ranks need.
func (b *builder) checkServingGPUs(main *corev1.Container, need int64, how string, par, where *field.Path) field.ErrorList {
	n, ok := b.draGPUs(main)
	if !ok {
		return b.checkGPUs(main, need, how, par, where)
	}
	d := b.managedDRA()
	res := b.cfg.GPUResource
	mp := where.Child("containers").Key(wiring.MainContainer).Child("resources")
	for _, f := range []struct {
		name string
		l    corev1.ResourceList
	}{{"limits", main.Resources.Limits}, {"requests", main.Resources.Requests}} {
		if q, has := f.l[res]; has {
			return field.ErrorList{field.Forbidden(mp.Child(f.name).Key(string(res)), fmt.Sprintf(
				"the vLLM container gets its GPUs from the managed DRA claim (%d of DeviceClass %s, annotation %s), and asking for %s %s too would give it both: remove %s, or remove the annotation",
				n, d.DeviceClass, spec.AnnotationDRADeviceClass, q.String(), res, res))}
		}
	}
	if n != need {
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "annotations").Key(spec.AnnotationDRADeviceCount), fmt.Sprint(n), fmt.Sprintf(
			"each pod claims %d devices of DeviceClass %s for vLLM, but %s needs %d per pod (%s): set the annotation to %d, or set %s.tensor (or pipeline, dataLocal) so the pod's ranks use %d",
			n, d.DeviceClass, par, need, how, need, par, n))}
	}
	return nil
}

// gpuResource is what the service's GPUs are counted in: the managed DRA
// DeviceClass when vLLM gets its GPUs from the claim, else the Function
// input's extended resource.
func (b *builder) gpuResource() corev1.ResourceName {
	if d := b.managedDRA(); d != nil && draTarget(d) == wiring.MainContainer {
		return corev1.ResourceName(d.DeviceClass)
	}
	return b.cfg.GPUResource
}
