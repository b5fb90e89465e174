//go:build e2e

package e2e

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/kubernetes"
)

// kubeletManager is the identity the test writes pod status as, standing in
// for the kubelet of the node the pod would run on.
const kubeletManager = "e2e-kubelet"

// setPodRunning writes the status a kubelet writes once the pod's
// containers run: phase Running, its IP, and Ready as given (a readiness
// probe passing or failing). No kubelet runs here; the IPs are loopback
// addresses on which the test serves what the pod would.
func setPodRunning(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, ip string, ready bool) error {
	readyStatus := corev1.ConditionFalse
	if ready {
		readyStatus = corev1.ConditionTrue
	}
	now := metav1.Now()
	cond := func(typ corev1.PodConditionType, st corev1.ConditionStatus) *corev1ac.PodConditionApplyConfiguration {
		return corev1ac.PodCondition().WithType(typ).WithStatus(st).WithLastTransitionTime(now)
	}
	var statuses []*corev1ac.ContainerStatusApplyConfiguration
	for _, c := range pod.Spec.Containers {
		statuses = append(statuses, corev1ac.ContainerStatus().
			WithName(c.Name).WithImage(c.Image).
			WithReady(ready).WithRestartCount(0).WithStarted(true).
			WithState(corev1ac.ContainerState().WithRunning(corev1ac.ContainerStateRunning().WithStartedAt(now))))
	}
	st := corev1ac.Pod(pod.Name, pod.Namespace).WithStatus(corev1ac.PodStatus().
		WithPhase(corev1.PodRunning).
		WithHostIP("127.0.0.1").WithHostIPs(corev1ac.HostIP().WithIP("127.0.0.1")).
		WithPodIP(ip).WithPodIPs(corev1ac.PodIP().WithIP(ip)).
		WithStartTime(now).
		WithConditions(
			cond(corev1.PodScheduled, corev1.ConditionTrue),
			cond(corev1.PodInitialized, corev1.ConditionTrue),
			cond(corev1.ContainersReady, readyStatus),
			cond(corev1.PodReady, readyStatus),
		).
		WithContainerStatuses(statuses...))
	if _, err := cs.CoreV1().Pods(pod.Namespace).ApplyStatus(ctx, st, metav1.ApplyOptions{FieldManager: kubeletManager, Force: true}); err != nil {
		return fmt.Errorf("cannot write the status of pod %s: %w", key(pod.Namespace, pod.Name), err)
	}
	return nil
}
