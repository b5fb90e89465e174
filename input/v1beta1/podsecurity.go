package v1beta1

// PodSecurity is the Pod Security Standard every pod the function composes
// must meet: the profile the platform's namespaces enforce
// (pod-security.kubernetes.io/enforce). The function checks each pod
// template with the Pod Security admission controller's own checks, so a
// template the namespace would refuse is refused when it is composed, with
// the field named, rather than accepted as a Deployment whose pods the API
// server then refuses.
type PodSecurity struct {
	// Level is the profile: privileged (no checks), baseline (the default:
	// no privileged containers, host namespaces, hostPath volumes or added
	// capabilities) or restricted (baseline, and pods run as non-root with
	// every capability dropped: set modelServer.runAsUser). Checked at the
	// latest version of the standard.
	// +optional
	// +kubebuilder:validation:Enum=privileged;baseline;restricted
	Level PodSecurityLevel `json:"level,omitempty"`

	// IPCLock, Enabled, allows containers to add the IPC_LOCK capability at
	// the baseline and restricted levels: RDMA (InfiniBand, RoCE) needs it
	// to pin the memory it registers, as KServe's and llm-d's multi-node
	// manifests ask for. Disabled, the default, refuses it as the standard
	// does, and as the namespace's admission would.
	// +optional
	// +kubebuilder:validation:Enum=Enabled;Disabled
	IPCLock Switch `json:"ipcLock,omitempty"`
}

// PodSecurityLevel is a profile of the Pod Security Standards, named as
// the pod-security.kubernetes.io namespace labels name it.
type PodSecurityLevel string

// Pod Security Standards profiles.
const (
	PodSecurityPrivileged PodSecurityLevel = "privileged"
	PodSecurityBaseline   PodSecurityLevel = "baseline"
	PodSecurityRestricted PodSecurityLevel = "restricted"
)
