package compose

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane/function-sdk-go/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// A PodSet is the pods of one composed workload (a model server's or the
// picker's): the labels to find them by, and what a diagnosis of them
// names in its fixes.
type PodSet struct {
	// Resource is the workload's composition resource name.
	Resource resource.Name
	// Selector are labels every pod of the workload carries: the ones the
	// workload selects its pods by (workloadSelector, selectorLabels).
	Selector map[string]string
	// Template is the spec field the pods are written in; Worker the one
	// of a LeaderWorkerSet's worker pods, empty for a Deployment.
	Template, Worker string
	// MultiNode is true for a LeaderWorkerSet.
	MultiNode bool
	// FlagFields say where each vLLM flag the user set is written, by
	// flag (--max-model-len): the spec field of the command,
	// VLLM_ADDITIONAL_ARGS or args. A flag vLLM refuses that is not here
	// is one the function sets.
	FlagFields map[string]string
}

// rolePodSet is the pods of the role's workload, composed under resource.
func (b *builder) rolePodSet(r role, res string) PodSet {
	ps := PodSet{
		Resource:   resource.Name(res),
		Selector:   b.workloadSelector(r),
		Template:   r.path.Child("template").String(),
		MultiNode:  r.topology() != singleNode,
		FlagFields: b.flagFields[r.name],
	}
	if ps.MultiNode {
		ps.Worker = r.path.Child("worker").String()
	}
	return ps
}

// pickerPodSet is the picker's pods.
func (b *builder) pickerPodSet() PodSet {
	return PodSet{
		Resource: ResourcePickerDeployment,
		Selector: b.selectorLabels(componentScheduler),
		Template: field.NewPath("spec", "router", "scheduler", "template").String(),
	}
}

// recordFlags notes where the user's vLLM flags of the role's pods are
// written. The leader's pod is built before the worker's, whose sources
// repeat the template's under the worker's field: the first field seen
// for a flag is kept.
func (b *builder) recordFlags(r role, srcs []spec.FlagSource) {
	if b.flagFields == nil {
		b.flagFields = map[string]map[string]string{}
	}
	m := b.flagFields[r.name]
	if m == nil {
		m = map[string]string{}
		b.flagFields[r.name] = m
	}
	for _, s := range srcs {
		for _, a := range wiring.ParseVLLMArgs(s.Tokens) {
			if a.Flag == "" {
				continue
			}
			if _, seen := m[a.Flag]; !seen {
				m[a.Flag] = s.Name
			}
		}
	}
}

// keptLogs are the containers whose last log lines the kubelet keeps as
// their termination message when they fail without writing one: vLLM (in
// every model-server pod, and the picker, both named main), the storage
// initializer and the modelcar. A pod's status then says why it failed to
// whoever may read pods but not their logs, the function included.
var keptLogs = map[string]bool{wiring.MainContainer: true, wiring.StorageInitializer: true, wiring.Modelcar: true}

// keepLogs sets terminationMessagePolicy FallbackToLogsOnError on the
// keptLogs containers of every composed pod template: the one place it is
// set. A policy the user's template sets is kept.
func keepLogs(objs []Object) {
	for _, o := range objs {
		switch w := o.Object.(type) {
		case *appsv1.Deployment:
			keepPodLogs(&w.Spec.Template.Spec)
		case *lwsv1.LeaderWorkerSet:
			if t := w.Spec.LeaderWorkerTemplate.LeaderTemplate; t != nil {
				keepPodLogs(&t.Spec)
			}
			keepPodLogs(&w.Spec.LeaderWorkerTemplate.WorkerTemplate.Spec)
		}
	}
}

func keepPodLogs(pod *corev1.PodSpec) {
	for _, cs := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for i := range cs {
			if keptLogs[cs[i].Name] && cs[i].TerminationMessagePolicy == "" {
				cs[i].TerminationMessagePolicy = corev1.TerminationMessageFallbackToLogsOnError
			}
		}
	}
}
