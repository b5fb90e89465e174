package spec

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// The fields KServe's v1alpha2 added that v1alpha1 does not have. Both
// versions of the XRDs declare them (see PoolSpec for why), so a manifest
// written at v1alpha2 keeps them when it is read at v1alpha1. The function
// checks and composes them, and warns where they have no effect
// (spec.Warnings).

// KVCacheOffloadingSpec offloads vLLM's KV cache to CPU memory and, below
// it, to secondary tiers (vLLM's OffloadingConnector).
type KVCacheOffloadingSpec struct {
	// CPU is the CPU memory the KV cache may use, e.g. 10Gi.
	CPU resource.Quantity `json:"cpu"`

	// EvictionPolicy of the CPU tier: lru (the default) or arc.
	// +optional
	// +kubebuilder:validation:Enum=lru;arc
	EvictionPolicy string `json:"evictionPolicy,omitempty"`

	// Secondary tiers below the CPU tier, in the order vLLM cascades
	// through them.
	// +optional
	Secondary []KVCacheSecondaryTier `json:"secondary,omitempty"`
}

// KV cache eviction policies.
const (
	EvictionPolicyLRU = "lru"
	EvictionPolicyARC = "arc"
)

// KVCacheSecondaryTier is one secondary tier; a file system is the only
// kind there is.
//
// +kubebuilder:validation:XValidation:rule="has(self.fileSystem)",message="fileSystem is required: it is the only kind of secondary tier"
type KVCacheSecondaryTier struct {
	// FileSystem is a disk tier on a volume.
	// +optional
	FileSystem *KVCacheFileSystemTier `json:"fileSystem,omitempty"`
}

// KVCacheFileSystemTier is a disk tier: a node-local emptyDir or a volume
// claim.
//
// +kubebuilder:validation:XValidation:rule="has(self.emptyDir) != has(self.pvc)",message="exactly one of emptyDir and pvc is required"
type KVCacheFileSystemTier struct {
	// EmptyDir is a node-local emptyDir of each pod.
	// +optional
	EmptyDir *KVCacheEmptyDirTier `json:"emptyDir,omitempty"`

	// PVC is a volume claim: one per pod (spec) or an existing one (ref).
	// +optional
	PVC *KVCachePVCTier `json:"pvc,omitempty"`
}

// KVCacheEmptyDirTier sizes the emptyDir tier.
type KVCacheEmptyDirTier struct {
	// Size of the tier: the emptyDir's size limit.
	Size resource.Quantity `json:"size"`
}

// KVCachePVCTier is a claim made for each pod or an existing claim.
//
// +kubebuilder:validation:XValidation:rule="has(self.spec) != has(self.ref)",message="exactly one of spec and ref is required"
type KVCachePVCTier struct {
	// Spec of an ephemeral claim made for each pod.
	// +optional
	Spec *corev1.PersistentVolumeClaimSpec `json:"spec,omitempty"`

	// Ref is an existing claim.
	// +optional
	Ref *KVCachePVCRef `json:"ref,omitempty"`
}

// KVCachePVCRef names an existing claim and the directory in it.
type KVCachePVCRef struct {
	// Name of the PersistentVolumeClaim.
	// +kubebuilder:validation:MinLength=1
	Name string `json:"name"`

	// Path in the claim (the mount's subPath).
	// +optional
	Path string `json:"path,omitempty"`
}

// ConfidentialSpec serves a model whose files are encrypted: the storage
// initializer decrypts them with a key from a Key Broker Service.
type ConfidentialSpec struct {
	// Enabled turns confidential serving on.
	Enabled bool `json:"enabled"`

	// ResourceID is the key's KBS resource, kbs:///<repository>/<type>/<tag>.
	// +optional
	// +kubebuilder:validation:Pattern=`^kbs:///[a-zA-Z0-9_.-]+/[a-zA-Z0-9_.-]+/[a-zA-Z0-9_.-]+$`
	ResourceID *string `json:"resourceId,omitempty"`
}
