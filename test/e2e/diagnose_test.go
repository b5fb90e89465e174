//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// diagnoseNS is where the diagnosis scenario composes its XR.
const diagnoseNS = "diagnose"

// diagnoseTimeout bounds each wait for the XR's conditions to follow its
// pod. Crossplane reconciles the XR within crossplanePollInterval of a
// change it does not watch, so the scenario logs how long each took
// rather than failing on a loaded machine.
const diagnoseTimeout = time.Minute

// testDiagnose proves the conditions say why a service is not ready from
// what its pods say, on the real control plane: kube-controller-manager's
// deployment and replicaset controllers make the pod of the composed
// Deployment, and the test writes its status as the scheduler and the
// kubelet would. In turn the pod is unschedulable, its storage initializer
// fails on a 401 from Hugging Face, vLLM crash-loops on a flag the spec's
// args misspell, its image cannot be pulled, it is killed for its memory
// and it is stopped by its startup probe; each time MainWorkloadReady must
// name the pod, the cause and the fix. Once the pod is Ready the condition
// is True again.
func (e *env) testDiagnose(t *testing.T) {
	ctx := context.Background()
	nsObj := &unstructured.Unstructured{}
	nsObj.SetGroupVersionKind(namespaceGVK)
	nsObj.SetName(diagnoseNS)
	if _, err := e.apply(ctx, nsObj); err != nil {
		t.Fatal(err)
	}
	e.waitDefaultServiceAccount(t, diagnoseNS)
	kcm := e.startWorkloadControllers(t)

	// The seed with one replica, no traffic path (its controllers are not
	// what is tested), and a flag vLLM does not know in its args.
	xr := e.exampleXR(t, "single-node")
	xr.SetNamespace(diagnoseNS)
	xr.SetName("diagnose")
	unstructured.RemoveNestedField(xr.Object, "spec", "router")
	if err := unstructured.SetNestedField(xr.Object, int64(1), "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	containers, _, _ := unstructured.NestedSlice(xr.Object, "spec", "template", "containers")
	containers[0].(map[string]any)["args"] = []any{"--max-model-lenn", "4096"}
	if err := unstructured.SetNestedSlice(xr.Object, containers, "spec", "template", "containers"); err != nil {
		t.Fatal(err)
	}
	composed := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{"workload-deployment": deploymentGVK})
	workload := typed[appsv1.Deployment](t, composed["workload-deployment"])
	pods := e.waitPods(t, kcm, workload)
	if len(pods) != 1 {
		t.Fatalf("Deployment %s made %d pods; the scenario writes the status of one", workload.Name, len(pods))
	}
	pod := pods[0]
	notStarted := false
	initDone := corev1.ContainerStatus{Name: "storage-initializer", Image: pod.Spec.InitContainers[0].Image, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}

	steps := []struct {
		what string
		// status is what the scheduler or the kubelet writes.
		status corev1.PodStatus
		// reason and the parts of the message MainWorkloadReady must have.
		reason string
		want   []string
	}{
		{
			what: "unschedulable",
			status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
				Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
				Message: "0/12 nodes are available: 12 Insufficient nvidia.com/gpu.", LastTransitionTime: metav1.Now(),
			}}},
			reason: "Unschedulable",
			want:   []string{"pod " + pod.Name + ": cannot be scheduled", "12 Insufficient nvidia.com/gpu", "asks for 1 nvidia.com/gpu", "spec.parallelism"},
		},
		{
			what: "storage initializer refused by Hugging Face",
			status: corev1.PodStatus{
				Phase:      corev1.PodPending,
				Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
				InitContainerStatuses: []corev1.ContainerStatus{{
					Name: "storage-initializer", Image: pod.Spec.InitContainers[0].Image, RestartCount: 2,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
						ExitCode: 1, Reason: "Error",
						Message: "huggingface_hub.errors.HfHubHTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/models/meta-llama/Llama-3.1-8B-Instruct",
					}},
				}},
			},
			reason: "InitContainerFailed",
			want:   []string{"pod " + pod.Name + ": init container storage-initializer exited with code 1", "401 Client Error", "storage.hfTokenSecretRef"},
		},
		{
			what: "vLLM crash-looping on a flag it does not know",
			status: corev1.PodStatus{
				Phase:                 corev1.PodRunning,
				Conditions:            []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
				InitContainerStatuses: []corev1.ContainerStatus{initDone},
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "main", Image: pod.Spec.Containers[0].Image, RestartCount: 3,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
						ExitCode: 2, Reason: "Error",
						Message: "usage: vllm serve [model_tag] [options]\nvllm serve: error: unrecognized arguments: --max-model-lenn 4096",
					}},
				}},
			},
			reason: "CrashLoopBackOff",
			want:   []string{"pod " + pod.Name + ": container main exited with code 2", "--max-model-lenn, written in spec.template.containers[main].args"},
		},
		{
			what: "vLLM's image cannot be pulled",
			status: corev1.PodStatus{
				Phase:                 corev1.PodPending,
				Conditions:            []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
				InitContainerStatuses: []corev1.ContainerStatus{initDone},
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "main", Image: pod.Spec.Containers[0].Image,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{
						Reason:  "ImagePullBackOff",
						Message: "Back-off pulling image \"" + pod.Spec.Containers[0].Image + "\": not found",
					}},
				}},
			},
			reason: "ImagePullFailed",
			want:   []string{"pod " + pod.Name + ": container main cannot pull image " + pod.Spec.Containers[0].Image, "not found", "spec.template.containers[main].image", "spec.template.imagePullSecrets"},
		},
		{
			what: "vLLM killed for its memory",
			status: corev1.PodStatus{
				Phase:                 corev1.PodRunning,
				Conditions:            []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
				InitContainerStatuses: []corev1.ContainerStatus{initDone},
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "main", Image: pod.Spec.Containers[0].Image, RestartCount: 1,
					State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}},
				}},
			},
			reason: "OOMKilled",
			want:   []string{"pod " + pod.Name + ": container main was killed for using more memory than its memory limit", "raise spec.template.containers[main].resources.limits.memory"},
		},
		{
			what: "vLLM stopped by its startup probe",
			status: corev1.PodStatus{
				Phase:                 corev1.PodRunning,
				Conditions:            []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
				InitContainerStatuses: []corev1.ContainerStatus{initDone},
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "main", Image: pod.Spec.Containers[0].Image, RestartCount: 1, Started: &notStarted,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
					LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
						ExitCode: 137, Reason: "Error", Message: "INFO Loading safetensors checkpoint shards: 41% Completed | 12/29",
					}},
				}},
			},
			reason: "StartupProbeFailed",
			want:   []string{"pod " + pod.Name + ": container main was stopped (exit code 137) after its startup probe failed", "raise spec.template.containers[main].startupProbe.failureThreshold"},
		},
	}
	for _, s := range steps {
		began := time.Now()
		if err := e.writePodStatus(ctx, pod, s.status); err != nil {
			t.Fatal(err)
		}
		e.waitMainWorkload(t, xr, s.what, func(c map[string]any) bool {
			msg, _ := c["message"].(string)
			if c["status"] != "False" || c["reason"] != s.reason {
				return false
			}
			for _, w := range s.want {
				if !strings.Contains(msg, w) {
					return false
				}
			}
			return true
		})
		t.Logf("%s: in the XR's conditions %s after the pod's status was written (Crossplane's poll interval: %s)", s.what, time.Since(began).Round(100*time.Millisecond), crossplanePollInterval)
	}

	// Ready, as a kubelet reports a pod whose probes pass: the Deployment
	// controller counts it available, and the condition clears.
	began := time.Now()
	now, started := metav1.Now(), true
	ready := func(typ corev1.PodConditionType) corev1.PodCondition {
		return corev1.PodCondition{Type: typ, Status: corev1.ConditionTrue, LastTransitionTime: now}
	}
	running := corev1.PodStatus{
		Phase:     corev1.PodRunning,
		HostIP:    "127.0.0.1",
		PodIP:     "127.0.0.1",
		StartTime: &now,
		Conditions: []corev1.PodCondition{
			ready(corev1.PodScheduled), ready(corev1.PodInitialized), ready(corev1.ContainersReady), ready(corev1.PodReady),
		},
		InitContainerStatuses: []corev1.ContainerStatus{initDone},
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", Image: pod.Spec.Containers[0].Image, RestartCount: 3, Ready: true, Started: &started,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		}},
	}
	if err := e.writePodStatus(ctx, pod, running); err != nil {
		t.Fatal(err)
	}
	e.waitMainWorkload(t, xr, "ready", func(c map[string]any) bool { return c["status"] == "True" && c["message"] == nil })
	t.Logf("ready: MainWorkloadReady True %s after the pod became Ready", time.Since(began).Round(100*time.Millisecond))
}

// writePodStatus replaces the pod's status, as the scheduler or the
// kubelet would.
func (e *env) writePodStatus(ctx context.Context, pod *corev1.Pod, status corev1.PodStatus) error {
	current, err := e.kube.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	current.Status = status
	if _, err := e.kube.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, current, metav1.UpdateOptions{FieldManager: kubeletManager}); err != nil {
		return fmt.Errorf("cannot write the status of pod %s: %w", key(pod.Namespace, pod.Name), err)
	}
	return nil
}

// waitMainWorkload waits until the XR's MainWorkloadReady condition is as
// ok wants it.
func (e *env) waitMainWorkload(t *testing.T, xr *unstructured.Unstructured, what string, ok func(c map[string]any) bool) {
	t.Helper()
	e.eventually(t, diagnoseTimeout, "MainWorkloadReady to say "+what, func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xr.GroupVersionKind(), xr.GetNamespace(), xr.GetName())
		if err != nil || got == nil {
			return false, "", err
		}
		c := conditions(got)["MainWorkloadReady"]
		return c != nil && ok(c), describe(got), nil
	})
}

// LeaderWorkerSet's pod labels: which set, group and worker a pod is.
const (
	lwsNameLabel        = "leaderworkerset.sigs.k8s.io/name"
	lwsGroupIndexLabel  = "leaderworkerset.sigs.k8s.io/group-index"
	lwsWorkerIndexLabel = "leaderworkerset.sigs.k8s.io/worker-index"
)

// testDiagnoseGroup proves a failing worker of a LeaderWorkerSet is told
// as its group restarting, from the worker's field. No LeaderWorkerSet
// controller runs here, so the test makes the group's pods as it would:
// from the composed leader and worker templates, with its labels and
// names. The worker's vLLM is killed for its memory; MainWorkloadReady
// must say the group restarts, why, and which field to raise (the worker's,
// not the leader's). Once the worker runs again the condition no longer
// names a pod.
func (e *env) testDiagnoseGroup(t *testing.T) {
	ctx := context.Background()
	e.ensureNamespace(t, diagnoseNS)
	e.waitDefaultServiceAccount(t, diagnoseNS)

	xr := e.exampleXR(t, "pipeline-parallel")
	xr.SetNamespace(diagnoseNS)
	xr.SetName("diagnose-group")
	unstructured.RemoveNestedField(xr.Object, "spec", "router")
	composed := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{"workload-leaderworkerset": leaderWorkerSetGVK})
	lws := composed["workload-leaderworkerset"]

	leader := e.createGroupPod(t, lws, "leaderTemplate", lws.GetName()+"-0", "0")
	worker := e.createGroupPod(t, lws, "workerTemplate", lws.GetName()+"-0-1", "1")
	if err := setPodRunning(ctx, e.kube, leader, "127.0.0.1", false); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	if err := e.writePodStatus(ctx, worker, corev1.PodStatus{
		Phase:      corev1.PodRunning,
		Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.Now()}},
		ContainerStatuses: []corev1.ContainerStatus{{
			Name: "main", Image: worker.Spec.Containers[0].Image, RestartCount: 1,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"pod " + worker.Name + ": group 0 restarts",
		"(OOMKilled): container main was killed for using more memory than its memory limit",
		"raise spec.worker.containers[main].resources.limits.memory",
	}
	e.waitMainWorkload(t, xr, "the group restarting", func(c map[string]any) bool {
		msg, _ := c["message"].(string)
		if c["status"] != "False" || c["reason"] != "GroupRestarting" {
			return false
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				return false
			}
		}
		return true
	})
	t.Logf("group restarting: in the XR's conditions %s after the worker's status was written (Crossplane's poll interval: %s)", time.Since(began).Round(100*time.Millisecond), crossplanePollInterval)

	// The worker runs again; the LeaderWorkerSet itself is not ready (no
	// controller writes its status), so the condition stays False, but no
	// pod says why any more.
	if err := setPodRunning(ctx, e.kube, worker, "127.0.0.2", false); err != nil {
		t.Fatal(err)
	}
	e.waitMainWorkload(t, xr, "no pod's cause once the worker runs", func(c map[string]any) bool {
		msg, _ := c["message"].(string)
		return c["status"] == "False" && c["reason"] != "GroupRestarting" && !strings.Contains(msg, "pod ")
	})
}

// createGroupPod creates the pod of LeaderWorkerSet lws's group 0 from
// its template role (leaderTemplate or workerTemplate), named and labelled
// as the LeaderWorkerSet controller names and labels it.
func (e *env) createGroupPod(t *testing.T, lws *unstructured.Unstructured, role, name, workerIndex string) *corev1.Pod {
	t.Helper()
	tmpl, ok, _ := unstructured.NestedMap(lws.Object, "spec", "leaderWorkerTemplate", role)
	if !ok {
		t.Fatalf("LeaderWorkerSet %s has no %s", lws.GetName(), role)
	}
	pod := &corev1.Pod{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(map[string]any{"metadata": tmpl["metadata"], "spec": tmpl["spec"]}, pod); err != nil {
		t.Fatalf("LeaderWorkerSet %s %s: %v", lws.GetName(), role, err)
	}
	pod.Name, pod.Namespace = name, lws.GetNamespace()
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels[lwsNameLabel] = lws.GetName()
	pod.Labels[lwsGroupIndexLabel] = "0"
	pod.Labels[lwsWorkerIndexLabel] = workerIndex
	got, err := e.kube.CoreV1().Pods(pod.Namespace).Create(context.Background(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("cannot create pod %s as the LeaderWorkerSet controller would: %v", key(pod.Namespace, name), err)
	}
	return got
}
