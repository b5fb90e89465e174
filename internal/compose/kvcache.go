package compose

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// kvTransferConfig is the --kv-transfer-config of the role's vLLM, "" for
// none: NIXL between prefill and decode pods, KServe's OffloadingConnector
// for the role's kvCacheOffloading, and both joined in a MultiConnector
// when the role has both. KServe leaves that join to the user; NIXL comes
// first so that a decode pod takes the prefill pod's blocks for a request
// it was handed, and the offloaded ones otherwise. spec.Validate has
// refused a --kv-transfer-config of the user's next to kvCacheOffloading,
// so the function's flag is the only one.
func (r role) kvTransferConfig() string {
	kv := r.w.Offloading()
	switch {
	case r.kv && kv != nil:
		return wiring.MultiTransfer(wiring.NIXLTransfer(), kv.Transfer()).JSON()
	case r.kv:
		return wiring.NIXLTransfer().JSON()
	case kv != nil:
		return kv.Transfer().JSON()
	default:
		return ""
	}
}

// attachKVCacheTiers mounts the secondary tiers of kvCacheOffloading kv
// into the main container of pod, as KServe does, on every pod of the
// role (a pipeline stage's Ray worker runs the connector's workers for its
// GPUs too). The tier at index i of the list is the volume
// kv-cache-secondary-<i> at /mnt/kv-cache-<i>:
//   - emptyDir: a node-local emptyDir limited to the size, which is added
//     to the container's ephemeral-storage request so that the scheduler
//     finds a node with the room;
//   - pvc.spec: a generic ephemeral volume, one claim per pod that lives
//     and goes with it (no PersistentVolumeClaim object is composed);
//   - pvc.ref: the existing claim, at its path.
func attachKVCacheTiers(pod *corev1.PodSpec, main *corev1.Container, kv *spec.KVCacheOffloadingSpec) {
	// kv is the role's Offloading(): nil for a CPU tier of 0 bytes.
	if kv == nil {
		return
	}
	for i, t := range kv.Secondary {
		fs := t.FileSystem
		if fs == nil {
			continue // spec.Validate refuses it; the index stays taken.
		}
		name := wiring.KVCacheTierVolume(i)
		m := corev1.VolumeMount{Name: name, MountPath: wiring.KVCacheTierDir(i)}
		v := corev1.Volume{Name: name}
		switch {
		case fs.EmptyDir != nil:
			size := fs.EmptyDir.Size.DeepCopy()
			v.EmptyDir = &corev1.EmptyDirVolumeSource{SizeLimit: &size}
			addEphemeralStorage(main, size)
		case fs.PVC != nil && fs.PVC.Spec != nil:
			v.Ephemeral = &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{
				Spec: *fs.PVC.Spec.DeepCopy(),
			}}
		case fs.PVC != nil && fs.PVC.Ref != nil:
			v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: fs.PVC.Ref.Name}
			m.SubPath = fs.PVC.Ref.Path
		default:
			continue // spec.Validate refuses it.
		}
		addVolume(pod, v)
		addMount(main, m)
	}
}

// addEphemeralStorage adds size to c's ephemeral-storage request, as
// KServe does. Where c limits ephemeral storage, the limit grows by the
// same size, and the request starts from the limit when c requests none
// (Kubernetes would have defaulted the request to the limit): an emptyDir
// counts against the pod's limit, and a request above the limit is
// refused.
func addEphemeralStorage(c *corev1.Container, size resource.Quantity) {
	const eph = corev1.ResourceEphemeralStorage
	// Copies: Add changes a quantity's digits in place.
	limit, limited := c.Resources.Limits[eph]
	limit = limit.DeepCopy()
	req, requested := c.Resources.Requests[eph]
	req = req.DeepCopy()
	if !requested && limited {
		req = limit.DeepCopy()
	}
	req.Add(size)
	if c.Resources.Requests == nil {
		c.Resources.Requests = corev1.ResourceList{}
	}
	c.Resources.Requests[eph] = req
	if limited {
		limit.Add(size)
		c.Resources.Limits[eph] = limit
	}
}
