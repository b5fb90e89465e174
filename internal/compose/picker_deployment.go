package compose

import (
	"fmt"
	"maps"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Endpoint picker pod.
const (
	pickerConfigVolume = "plugins-config"

	// pickerHealthService is the gRPC health service a single picker reports
	// on. With leader election the picker reports liveness and readiness
	// separately, and only the leader is ready (active-passive).
	pickerHealthService   = "inference-extension"
	pickerLivenessService = "liveness"
	pickerReadyService    = "readiness"
)

// pickerReplicas is scheduler.replicas, 1 when unset.
func (b *builder) pickerReplicas() int32 {
	return ptr.Deref(b.svc.Spec.Router.Scheduler.Replicas, 1)
}

// pickerArgs are the picker's flags, before the platform's and the user's.
// They are written as --flag=value so a flag and its value cannot be
// separated by a merge.
func (b *builder) pickerArgs(src pickerConfigSource) []string {
	args := []string{
		"--pool-name=" + managedPoolName(b.svc.Name),
		"--pool-namespace=" + b.svc.Namespace,
		"--pool-group=" + giev1.GroupName,
		"--config-file=" + src.path(),
		"--grpc-port=" + strconv.Itoa(wiring.PickerGRPCPort),
		"--grpc-health-port=" + strconv.Itoa(wiring.PickerHealthPort),
		"--metrics-port=" + strconv.Itoa(wiring.PickerMetricsPort),
		"--zap-encoder=json",
		// Tracing is on by default and exports to a local OTLP collector
		// most clusters do not run, logging an error per batch. It is on
		// with spec.tracing, or when a platform that runs a collector adds
		// --tracing=true through the Function input; the last value of a
		// flag wins.
		"--tracing=" + strconv.FormatBool(b.svc.Spec.Tracing != nil),
	}
	if b.pickerReplicas() > 1 {
		args = append(args, "--ha-enable-leader-election")
	}
	if b.cfg.PickerMetricsAuth == v1beta1.MetricsAuthNone {
		// The platform's Prometheus scrapes without a token (input
		// router.scheduler.metricsAuth: None).
		args = append(args, wiring.PickerMetricsAuth+"=false")
	}
	return args
}

// pickerPod is what the function itself sets on the picker's pod: what must
// agree with the pool, the picker Service, the RBAC and the configuration.
// Defaults (image, resources, security context, probe timings, /tmp) come
// from the built-in scheduler preset and the Function input, merged over
// this with the user's scheduler.template.
func (b *builder) pickerPod(src pickerConfigSource) corev1.PodSpec {
	live, ready := pickerHealthService, pickerHealthService
	if b.pickerReplicas() > 1 {
		live, ready = pickerLivenessService, pickerReadyService
	}
	c := corev1.Container{
		Name: wiring.MainContainer,
		Ports: []corev1.ContainerPort{
			{Name: "grpc", ContainerPort: wiring.PickerGRPCPort, Protocol: corev1.ProtocolTCP},
			{Name: "grpc-health", ContainerPort: wiring.PickerHealthPort, Protocol: corev1.ProtocolTCP},
			{Name: pickerContainerMetricsPort, ContainerPort: wiring.PickerMetricsPort, Protocol: corev1.ProtocolTCP},
		},
		Env: []corev1.EnvVar{
			{Name: "NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		},
		VolumeMounts:   []corev1.VolumeMount{{Name: pickerConfigVolume, MountPath: pickerConfigDir, ReadOnly: true}},
		LivenessProbe:  &corev1.Probe{ProbeHandler: grpcHealth(live)},
		ReadinessProbe: &corev1.Probe{ProbeHandler: grpcHealth(ready)},
	}
	if b.svc.KVEvents() != nil {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: wiring.PickerKVEventsPortName, ContainerPort: wiring.PickerKVEventsPort, Protocol: corev1.ProtocolTCP})
	}
	pod := corev1.PodSpec{
		ServiceAccountName: pickerName(b.svc.Name),
		// The picker watches pods, the pool and objectives through the
		// API server: it needs its token whatever the namespace default.
		AutomountServiceAccountToken: ptr.To(true),
		Containers:                   []corev1.Container{c},
		Volumes: []corev1.Volume{
			{Name: pickerConfigVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: src.ConfigMap},
			}}},
		},
	}
	if b.svc.LatencyPredictorEnabled() {
		b.addLatencyPredictor(&pod)
	}
	return pod
}

func grpcHealth(service string) corev1.ProbeHandler {
	return corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: wiring.PickerHealthPort, Service: ptr.To(service)}}
}

// pickerDeployment composes the picker. One replica by default, and Recreate
// rather than a rolling update: the prefix-cache index lives in the
// picker's memory, and two pickers side by side would each route on half
// of it. With FailOpen the gateway keeps serving while it restarts.
func (b *builder) pickerDeployment(src pickerConfigSource) (*appsv1.Deployment, field.ErrorList) {
	p := field.NewPath("spec", "router", "scheduler", "template")
	pod, userArgs, errs := mergeTemplate(b.pickerPod(src), b.pickerTemplateRaw(), p)
	if len(errs) > 0 {
		return nil, errs
	}
	main := wiring.Container(&pod, wiring.MainContainer)
	if main == nil {
		// The picker's own pod has it, and no layer can remove it.
		return nil, field.ErrorList{field.InternalError(p.Child("containers"), errNoMainContainer)}
	}
	if b.cfg.Provider == v1beta1.ProviderIstio {
		// spec.Validate checked the template's flags without the input,
		// which decides whether the gateway talks TLS to the picker.
		for _, r := range wiring.PickerRefusals(userArgs, wiring.PickerWiring{TLS: true}) {
			if r.Flag == wiring.PickerSecureServing {
				return nil, field.ErrorList{field.Forbidden(p.Child("containers").Key(wiring.MainContainer).Child("args").Index(r.Index),
					fmt.Sprintf("%s is set by the function: %s", r.Flag, r.Why))}
			}
		}
	}
	// The platform's flags, then the user's; a repeat of a flag with the
	// same value appears once.
	main.Args = wiring.MergePickerArgs(b.pickerArgs(src), b.cfg.PickerExtraArgs, userArgs)
	b.addTracingEnv(main, tracingServicePicker, false)

	selector := b.selectorLabels(componentScheduler)
	tmpl := metav1.ObjectMeta{Labels: maps.Clone(selector), Annotations: map[string]string{annotationPickerConfigHash: src.hash()}}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "Deployment"},
		ObjectMeta: b.objectMeta(pickerName(b.svc.Name), componentScheduler),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(b.pickerReplicas()),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
			Template: corev1.PodTemplateSpec{ObjectMeta: tmpl, Spec: pod},
		},
	}, nil
}

// pickerTemplateRaw is scheduler.template as the user wrote it, or nil: only
// the fields the user set may take part in the merge.
func (b *builder) pickerTemplateRaw() map[string]any {
	r, _ := b.svc.Raw["router"].(map[string]any)
	s, _ := r["scheduler"].(map[string]any)
	t, _ := s["template"].(map[string]any)
	return t
}
