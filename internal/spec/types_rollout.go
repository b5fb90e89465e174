package spec

import "k8s.io/apimachinery/pkg/util/intstr"

// RolloutStrategySpec is KServe's rolloutStrategy of a workload: how many
// replicas a rolling update may take down and add at once. It goes onto a
// Deployment's rolling update and a LeaderWorkerSet's
// rollingUpdateConfiguration (compose: rollout.go).
type RolloutStrategySpec struct {
	// MaxUnavailable is how many replicas may be unavailable during an
	// update: a number or a percentage of the replicas, e.g. 1 or 25%.
	// Unset, a Deployment takes Kubernetes' default (25%) and a
	// LeaderWorkerSet KServe's (1).
	// +optional
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`

	// MaxSurge is how many replicas may be created above the desired
	// count during an update: a number or a percentage, e.g. 1 or 25%.
	// Unset, a Deployment takes Kubernetes' default (25%) and a
	// LeaderWorkerSet KServe's (0).
	// +optional
	MaxSurge *intstr.IntOrString `json:"maxSurge,omitempty"`
}
