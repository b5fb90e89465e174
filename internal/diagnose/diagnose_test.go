package diagnose

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
)

const gpu = corev1.ResourceName("nvidia.com/gpu")

// modelPod is a model-server pod as the function composes it: a storage
// initializer and vLLM with a startup probe, asking for 8 GPUs.
func modelPod(name string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "storage-initializer", Image: "kserve/storage-initializer:v0.15"}},
			Containers: []corev1.Container{{
				Name: "main", Image: "vllm/vllm-openai:v0.10.1",
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("16"), corev1.ResourceMemory: resource.MustParse("64Gi")},
					Limits:   corev1.ResourceList{gpu: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("128Gi")},
				},
				StartupProbe: &corev1.Probe{InitialDelaySeconds: 10, PeriodSeconds: 10, FailureThreshold: 60},
			}},
		},
		Status: corev1.PodStatus{
			Phase:      corev1.PodPending,
			Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}},
			InitContainerStatuses: []corev1.ContainerStatus{{
				Name: "storage-initializer", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}},
			}},
			ContainerStatuses: []corev1.ContainerStatus{{
				Name: "main", Ready: true, Started: ptr.To(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
			}},
		},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func unschedulable(msg string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: msg}}
		p.Status.InitContainerStatuses, p.Status.ContainerStatuses = nil, nil
	}
}

func initFailed(msg string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.InitContainerStatuses = []corev1.ContainerStatus{{
			Name: "storage-initializer", RestartCount: 3,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", Message: msg}},
		}}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name: "main", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}},
		}}
	}
}

func mainFailed(t corev1.ContainerStateTerminated, started bool) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name: "main", RestartCount: 4, Started: ptr.To(started),
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &t},
		}}
	}
}

func waiting(container, reason, msg string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name: container, State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}},
		}}
	}
}

func lwsPod(group, worker string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Labels = map[string]string{lwsv1.GroupIndexLabelKey: group, lwsv1.WorkerIndexLabelKey: worker}
	}
}

const vllmArgError = `usage: vllm serve [model_tag] [options]
vllm serve: error: unrecognized arguments: --max-model-lenn 4096`

func TestPods(t *testing.T) {
	token := &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "hf-token"}, Key: "token"}
	main := compose.PodSet{
		Template:   "spec.template",
		FlagFields: map[string]string{"--max-model-lenn": "spec.template.containers[main].args", "--enable-foo": "spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS]"},
	}
	group := compose.PodSet{Template: "spec.template", Worker: "spec.worker", MultiNode: true}

	cases := map[string]struct {
		reason  string
		pods    []*corev1.Pod
		set     compose.PodSet
		token   *corev1.SecretKeySelector
		want    Diagnosis
		wantNot bool
	}{
		"Ready": {
			reason:  "Pods that run and are ready say nothing.",
			pods:    []*corev1.Pod{modelPod("m-a"), modelPod("m-b")},
			wantNot: true,
		},
		"Starting": {
			reason: "vLLM loading the model, within its startup probe's window, is no failure.",
			pods: []*corev1.Pod{modelPod("m-a", func(p *corev1.Pod) {
				p.Status.ContainerStatuses[0].Started, p.Status.ContainerStatuses[0].Ready = ptr.To(false), false
			})},
			wantNot: true,
		},
		"UnschedulableGPUs": {
			reason: "The scheduler's message, what the pod asks for, and the fix for GPUs.",
			pods:   []*corev1.Pod{modelPod("m-a", unschedulable("0/12 nodes are available: 12 Insufficient nvidia.com/gpu."))},
			want: Diagnosis{Reason: ReasonUnschedulable, Message: "pod m-a: cannot be scheduled: 0/12 nodes are available: 12 Insufficient nvidia.com/gpu. " +
				"(it asks for 8 nvidia.com/gpu, 16 cpu, 64Gi memory): no node has that many free nvidia.com/gpu: free GPUs or add nodes, " +
				"or hold fewer per pod (spec.parallelism sets how many each pod holds)"},
		},
		"UnschedulableNodeSelector": {
			reason: "A node selector no node matches names the template's nodeSelector.",
			pods: []*corev1.Pod{modelPod("m-a", unschedulable("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."), func(p *corev1.Pod) {
				p.Spec.NodeSelector = map[string]string{"nvidia.com/gpu.product": "NVIDIA-H200"}
			})},
			want: Diagnosis{Reason: ReasonUnschedulable, Message: "pod m-a: cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. " +
				"(it asks for 8 nvidia.com/gpu, 16 cpu, 64Gi memory, nodes labelled nvidia.com/gpu.product=NVIDIA-H200): no node carries the labels the pod selects: " +
				"correct spec.template.nodeSelector or spec.template.affinity (or the accelerator the Function input selects), or label the nodes that have the GPUs"},
		},
		"ImagePull": {
			reason: "An image that cannot be pulled names the image field and the pull Secrets.",
			pods:   []*corev1.Pod{modelPod("m-a", waiting("main", "ImagePullBackOff", `Back-off pulling image "vllm/vllm-openai:v0.10.1"`))},
			want: Diagnosis{Reason: ReasonImagePullFailed, Message: `pod m-a: container main cannot pull image vllm/vllm-openai:v0.10.1: Back-off pulling image "vllm/vllm-openai:v0.10.1": ` +
				"correct the image in spec.template.containers[main].image (or the Function input's image for it), and for a private registry give the pod its pull Secret in spec.template.imagePullSecrets"},
		},
		"StorageInitializer401WithToken": {
			reason: "A 401 from Hugging Face names the Function input's token Secret.",
			pods:   []*corev1.Pod{modelPod("m-a", initFailed("Traceback ...\nhuggingface_hub.errors.HfHubHTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/models/o/m"))},
			token:  token,
			want: Diagnosis{Reason: ReasonInitContainerFailed, Message: "pod m-a: init container storage-initializer exited with code 1 (restarted 3 times) and is in CrashLoopBackOff: " +
				"huggingface_hub.errors.HfHubHTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/models/o/m: " +
				"Hugging Face refuses the token (401): the token in Secret hf-token key token (the Function input's storage.hfTokenSecretRef) is invalid or expired, " +
				"or the model does not exist: replace the token, or correct spec.model.uri"},
		},
		"StorageInitializerGated401": {
			reason: "A gated model refused for a bad token is a 401: the token is named, and the line quoted is the error's, not the last.",
			pods: []*corev1.Pod{modelPod("m-a", initFailed("huggingface_hub.errors.GatedRepoError: 401 Client Error.\n"+
				"Cannot access gated repo for url https://huggingface.co/api/models/o/m/revision/main.\nAccess to model o/m is restricted. Please log in."))},
			token: token,
			want: Diagnosis{Reason: ReasonInitContainerFailed, Message: "pod m-a: init container storage-initializer exited with code 1 (restarted 3 times) and is in CrashLoopBackOff: " +
				"huggingface_hub.errors.GatedRepoError: 401 Client Error.: " +
				"Hugging Face refuses the token (401): the token in Secret hf-token key token (the Function input's storage.hfTokenSecretRef) is invalid or expired, " +
				"or the model does not exist: replace the token, or correct spec.model.uri"},
		},
		"StorageInitializer401WithoutToken": {
			reason: "Without a token, a 401 says to set one.",
			pods:   []*corev1.Pod{modelPod("m-a", initFailed("huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error. Repository Not Found for url: https://huggingface.co/o/m"))},
			want: Diagnosis{Reason: ReasonInitContainerFailed, Message: "pod m-a: init container storage-initializer exited with code 1 (restarted 3 times) and is in CrashLoopBackOff: " +
				"huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error. Repository Not Found for url: https://huggingface.co/o/m: " +
				"Hugging Face asks for a token (401): the model is private or gated, or does not exist: set the Function input's storage.hfTokenSecretRef " +
				"to a Secret key holding a token that may read it, or correct spec.model.uri"},
		},
		"StorageInitializer403Gated": {
			reason: "A 403 says the model is gated, and whose token it is.",
			pods:   []*corev1.Pod{modelPod("m-a", initFailed("huggingface_hub.errors.GatedRepoError: 403 Client Error. Cannot access gated repo for url https://huggingface.co/o/m."))},
			token:  token,
			want: Diagnosis{Reason: ReasonInitContainerFailed, Message: "pod m-a: init container storage-initializer exited with code 1 (restarted 3 times) and is in CrashLoopBackOff: " +
				"huggingface_hub.errors.GatedRepoError: 403 Client Error. Cannot access gated repo for url https://huggingface.co/o/m.: " +
				"Hugging Face refuses the download (403): the model is gated, or the token may not read it: accept the model's terms on huggingface.co with the account " +
				"of the token in Secret hf-token key token (the Function input's storage.hfTokenSecretRef), or use a token with read access to it"},
		},
		"VLLMUnrecognizedArgument": {
			reason: "An argument vLLM refuses names the spec field it is written in.",
			pods:   []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 2, Reason: "Error", Message: vllmArgError}, false))},
			set:    main,
			want: Diagnosis{Reason: ReasonCrashLoopBackOff, Message: "pod m-a: container main exited with code 2 (restarted 4 times) and is in CrashLoopBackOff: " +
				"vllm serve: error: unrecognized arguments: --max-model-lenn 4096: vLLM does not know --max-model-lenn, written in spec.template.containers[main].args: " +
				"remove it, or run a vLLM image that has it"},
		},
		"VLLMUnrecognizedAdditionalArgument": {
			reason: "A flag from VLLM_ADDITIONAL_ARGS names that variable.",
			pods:   []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 2, Message: "vllm serve: error: unrecognized arguments: --enable-foo"}, false))},
			set:    main,
			want: Diagnosis{Reason: ReasonCrashLoopBackOff, Message: "pod m-a: container main exited with code 2 (restarted 4 times) and is in CrashLoopBackOff: " +
				"vllm serve: error: unrecognized arguments: --enable-foo: vLLM does not know --enable-foo, written in spec.template.containers[main].env[VLLM_ADDITIONAL_ARGS]: " +
				"remove it, or run a vLLM image that has it"},
		},
		"VLLMUnrecognizedOwnArgument": {
			reason: "A flag the function sets that vLLM does not know means an older vLLM image.",
			pods: []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 2, Message: "vllm serve: error: unrecognized arguments: --kv-transfer-config {}"}, false), func(p *corev1.Pod) {
				p.Spec.Containers[0].Args = []string{"--port", "8000", "--kv-transfer-config", "{}"}
			})},
			set: main,
			want: Diagnosis{Reason: ReasonCrashLoopBackOff, Message: "pod m-a: container main exited with code 2 (restarted 4 times) and is in CrashLoopBackOff: " +
				"vllm serve: error: unrecognized arguments: --kv-transfer-config {}: vLLM does not know --kv-transfer-config, which the function sets: " +
				"the image's vLLM is older than the function expects; run a newer vLLM in spec.template.containers[main].image"},
		},
		"VLLMUnrecognizedImageArgument": {
			reason: "A flag in neither the spec nor the pod's args came with the image.",
			pods:   []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 2, Message: "vllm serve: error: unrecognized arguments: --foo"}, false))},
			set:    main,
			want: Diagnosis{Reason: ReasonCrashLoopBackOff, Message: "pod m-a: container main exited with code 2 (restarted 4 times) and is in CrashLoopBackOff: " +
				"vllm serve: error: unrecognized arguments: --foo: vLLM does not know --foo, which neither the spec nor the function sets: it comes with the image vllm/vllm-openai:v0.10.1 or its entrypoint"},
		},
		"VLLMGPUMemory": {
			reason: "vLLM out of GPU memory names the flags that size it.",
			pods:   []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 1, Message: "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization`"}, false))},
			want: Diagnosis{Reason: ReasonCrashLoopBackOff, Message: "pod m-a: container main exited with code 1 (restarted 4 times) and is in CrashLoopBackOff: " +
				"ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization`: the model and its KV cache do not fit in the GPUs' memory: " +
				"lower --max-model-len or raise --gpu-memory-utilization in spec.template.containers[main].args, or spread the model over more GPUs (spec.parallelism.tensor)"},
		},
		"OOMKilled": {
			reason: "A container killed for memory names its limit and where to raise it.",
			pods:   []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}, false))},
			want: Diagnosis{Reason: ReasonOOMKilled, Message: "pod m-a: container main was killed for using more memory than its memory limit of 128Gi: " +
				"raise spec.template.containers[main].resources.limits.memory"},
		},
		"StartupProbe": {
			reason: "A container stopped before its startup probe passed says how long it had.",
			pods:   []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 137, Reason: "Error", Message: "INFO Loading weights took 580.2 seconds"}, false))},
			want: Diagnosis{Reason: ReasonStartupProbeFailed, Message: "pod m-a: container main was stopped (exit code 137) after its startup probe failed for 610s: " +
				"INFO Loading weights took 580.2 seconds: if loading the model takes longer, raise spec.template.containers[main].startupProbe.failureThreshold"},
		},
		"GroupRestarting": {
			reason: "A failing worker of a LeaderWorkerSet restarts its group, and names spec.worker.",
			pods: []*corev1.Pod{
				modelPod("m-mn-0", lwsPod("0", "0")),
				modelPod("m-mn-0-1", lwsPod("0", "1"), mainFailed(corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}, false)),
			},
			set: group,
			want: Diagnosis{Reason: ReasonGroupRestarting, Message: "pod m-mn-0-1: group 0 restarts, as a LeaderWorkerSet recreates every pod of a group when one fails (OOMKilled): " +
				"container main was killed for using more memory than its memory limit of 128Gi: raise spec.worker.containers[main].resources.limits.memory"},
		},
		"FailureOverUnschedulable": {
			reason: "A container that fails is what to fix first; the other pods are counted.",
			pods: []*corev1.Pod{
				modelPod("m-a", unschedulable("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.")),
				modelPod("m-b", mainFailed(corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}, false)),
			},
			want: Diagnosis{Reason: ReasonOOMKilled, Message: "pod m-b: container main was killed for using more memory than its memory limit of 128Gi: " +
				"raise spec.template.containers[main].resources.limits.memory (1 more of the 2 pods read are not ready either)"},
		},
		"TerminatingIgnored": {
			reason: "A pod being deleted (a rollout's old one) is not the service's problem.",
			pods: []*corev1.Pod{modelPod("m-a", mainFailed(corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}, false), func(p *corev1.Pod) {
				p.DeletionTimestamp = ptr.To(metav1.NewTime(time.Unix(1, 0)))
			})},
			wantNot: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			set := tc.set
			if set.Template == "" {
				set.Template = "spec.template"
			}
			got, ok := Pods(asUnstructured(t, tc.pods...), Context{Pods: set, HFToken: tc.token, GPUResource: gpu})
			if ok == tc.wantNot {
				t.Fatalf("%s\nPods(...): found %t, want %t: %+v", tc.reason, ok, !tc.wantNot, got)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nPods(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestPodsReadsTheFirstByName proves the bound: only the first MaxPods
// pods by name are read, whatever order Crossplane lists them in.
func TestPodsReadsTheFirstByName(t *testing.T) {
	var pods []*corev1.Pod
	crash := mainFailed(corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}, false)
	// Listed last first: the failing pods sort after MaxPods ready ones.
	for i := MaxPods + 1; i >= 0; i-- {
		if i >= MaxPods {
			pods = append(pods, modelPod(fmt.Sprintf("m-%02d", i), crash))
			continue
		}
		pods = append(pods, modelPod(fmt.Sprintf("m-%02d", i)))
	}
	if d, ok := Pods(asUnstructured(t, pods...), Context{Pods: compose.PodSet{Template: "spec.template"}}); ok {
		t.Errorf("pods after the first %d by name were read: %+v", MaxPods, d)
	}
	pods[0].Name = "m-00a" // Now among the first MaxPods.
	d, ok := Pods(asUnstructured(t, pods...), Context{Pods: compose.PodSet{Template: "spec.template"}})
	if !ok || !strings.HasPrefix(d.Message, "pod m-00a:") {
		t.Errorf("the failing pod among the first %d by name is not the one named: %t %+v", MaxPods, ok, d)
	}
}

func asUnstructured(t *testing.T, pods ...*corev1.Pod) []*unstructured.Unstructured {
	t.Helper()
	out := make([]*unstructured.Unstructured, 0, len(pods))
	for _, p := range pods {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}
