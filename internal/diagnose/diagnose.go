// Package diagnose reads the pods of a workload that is not ready and says
// why, and what to do about it: the scheduler's verdict, image pulls, init
// containers (the storage initializer, the modelcar) and containers that
// fail, and their last termination message, redacted. It reads pods only:
// which workloads are not ready is internal/status's to say, and turning a
// Diagnosis into a condition is its too.
package diagnose

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
)

// MaxPods bounds how many pods of one workload are diagnosed: the first by
// name. The pods of a workload are replicas of one template and fail alike,
// so a few tell the cause; a condition message names one pod and a count,
// and a workload of hundreds of replicas must not cost hundreds of
// conversions on every call while it is not ready. Eight covers a
// LeaderWorkerSet group of eight nodes (a leader and seven workers), the
// largest the examples compose.
const MaxPods = 8

// Reasons of the conditions of a workload whose pods say why it is not
// ready.
const (
	ReasonUnschedulable       = "Unschedulable"
	ReasonImagePullFailed     = "ImagePullFailed"
	ReasonInitContainerFailed = "InitContainerFailed"
	ReasonOOMKilled           = "OOMKilled"
	ReasonStartupProbeFailed  = "StartupProbeFailed"
	ReasonCrashLoopBackOff    = "CrashLoopBackOff"
	ReasonGroupRestarting     = "GroupRestarting"
)

// rank orders causes when the pods read show several: a container that
// fails fails on every pod that gets that far, whereas a pod left
// unschedulable may be only the one replica too many.
var rank = map[string]int{
	ReasonInitContainerFailed: 0,
	ReasonOOMKilled:           1,
	ReasonStartupProbeFailed:  1,
	ReasonCrashLoopBackOff:    1,
	ReasonGroupRestarting:     1,
	ReasonImagePullFailed:     2,
	ReasonUnschedulable:       3,
}

// A Diagnosis is why a workload is not ready: a reason for its condition
// and a message naming the pod, the cause and the fix.
type Diagnosis struct {
	Reason  string
	Message string
}

// Context is what the fixes a diagnosis gives name.
type Context struct {
	// Pods are the workload's pods as composed.
	Pods compose.PodSet
	// HFToken is the Function input's storage.hfTokenSecretRef, nil when
	// it sets none.
	HFToken *corev1.SecretKeySelector
	// GPUResource is the extended resource GPUs are counted in.
	GPUResource corev1.ResourceName
}

// Pods diagnoses the first MaxPods pods by name that are not being
// deleted. It returns false when none of them says why it is not ready
// (they are starting, or gone).
func Pods(objs []*unstructured.Unstructured, ctx Context) (Diagnosis, bool) {
	pods := make([]*corev1.Pod, 0, len(objs))
	for _, o := range objs {
		if o == nil || o.GetDeletionTimestamp() != nil {
			continue
		}
		p := &corev1.Pod{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, p); err != nil {
			continue // Not a pod the API server would serve; nothing to say.
		}
		pods = append(pods, p)
	}
	slices.SortFunc(pods, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	if len(pods) > MaxPods {
		pods = pods[:MaxPods]
	}
	type podFinding struct {
		pod string
		finding
	}
	var found []podFinding
	for _, p := range pods {
		if f, ok := ctx.pod(p); ok {
			found = append(found, podFinding{pod: p.Name, finding: f})
		}
	}
	if len(found) == 0 {
		return Diagnosis{}, false
	}
	best := found[0]
	for _, f := range found[1:] {
		if rank[f.reason] < rank[best.reason] {
			best = f
		}
	}
	msg := "pod " + best.pod + ": " + best.message
	if n := len(found) - 1; n > 0 {
		msg += fmt.Sprintf(" (%d more of the %d pods read are not ready either)", n, len(pods))
	}
	// What the pods wrote is redacted already; the rest is the function's.
	return Diagnosis{Reason: best.reason, Message: msg}, true
}

// A finding is what one pod says.
type finding struct {
	reason  string
	message string
}

// pod diagnoses one pod: the scheduler's verdict first, then its init
// containers in order, then its containers.
func (ctx Context) pod(p *corev1.Pod) (finding, bool) {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return ctx.unschedulable(p, c.Message), true
		}
	}
	template := ctx.template(p)
	inits := statuses(p.Status.InitContainerStatuses)
	for _, c := range p.Spec.InitContainers {
		if s, ok := inits[c.Name]; ok {
			if f, ok := ctx.initContainer(p, c, s, template); ok {
				return f, true
			}
		}
	}
	mains := statuses(p.Status.ContainerStatuses)
	for _, c := range p.Spec.Containers {
		if s, ok := mains[c.Name]; ok {
			if f, ok := ctx.container(c, s, template); ok {
				return ctx.inGroup(p, f), true
			}
		}
	}
	return finding{}, false
}

func statuses(ss []corev1.ContainerStatus) map[string]corev1.ContainerStatus {
	m := make(map[string]corev1.ContainerStatus, len(ss))
	for _, s := range ss {
		m[s.Name] = s
	}
	return m
}

// template is the spec field pod p is written in: a LeaderWorkerSet's
// worker pods (worker index other than 0) come from spec.worker.
func (ctx Context) template(p *corev1.Pod) string {
	if ctx.Pods.Worker != "" {
		if i, ok := p.Labels[lwsv1.WorkerIndexLabelKey]; ok && i != "0" {
			return ctx.Pods.Worker
		}
	}
	return ctx.Pods.Template
}

// inGroup says of a container failing in a LeaderWorkerSet's pod that its
// group restarts: the LeaderWorkerSet recreates every pod of a group when
// one of them restarts, so the failure is the group's.
func (ctx Context) inGroup(p *corev1.Pod, f finding) finding {
	if !ctx.Pods.MultiNode {
		return f
	}
	group := p.Labels[lwsv1.GroupIndexLabelKey]
	return finding{
		reason:  ReasonGroupRestarting,
		message: "group " + group + " restarts, as a LeaderWorkerSet recreates every pod of a group when one fails (" + f.reason + "): " + f.message,
	}
}
