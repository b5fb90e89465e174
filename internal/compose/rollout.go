package compose

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// KServe's rolling update bounds of a LeaderWorkerSet for the one of
// rolloutStrategy's values the spec leaves out: one group down at a time,
// none added (LeaderWorkerSet's own defaults too).
var (
	lwsDefaultMaxUnavailable = intstr.FromInt32(1)
	lwsDefaultMaxSurge       = intstr.FromInt32(0)
)

// deploymentStrategy is a Deployment's strategy for the workload's
// rolloutStrategy: a rolling update with the values the spec sets, the
// other left to Kubernetes' default (25%), as KServe does. Without either
// value it is empty, and so is left out: Kubernetes' default strategy.
func deploymentStrategy(w *spec.WorkloadSpec) appsv1.DeploymentStrategy {
	rs := w.RolloutStrategy
	if rs == nil || (rs.MaxUnavailable == nil && rs.MaxSurge == nil) {
		return appsv1.DeploymentStrategy{}
	}
	return appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxUnavailable: rs.MaxUnavailable,
			MaxSurge:       rs.MaxSurge,
		},
	}
}

// lwsRolloutStrategy is a LeaderWorkerSet's rollout strategy for the
// workload's rolloutStrategy: always a rolling update, with a
// rollingUpdateConfiguration once the spec sets either value, the other
// KServe's default (maxUnavailable 1, maxSurge 0).
func lwsRolloutStrategy(w *spec.WorkloadSpec) lwsv1.RolloutStrategy {
	s := lwsv1.RolloutStrategy{Type: lwsv1.RollingUpdateStrategyType}
	rs := w.RolloutStrategy
	if rs == nil || (rs.MaxUnavailable == nil && rs.MaxSurge == nil) {
		return s
	}
	s.RollingUpdateConfiguration = &lwsv1.RollingUpdateConfiguration{
		MaxUnavailable: ptr.Deref(rs.MaxUnavailable, lwsDefaultMaxUnavailable),
		MaxSurge:       ptr.Deref(rs.MaxSurge, lwsDefaultMaxSurge),
	}
	return s
}
