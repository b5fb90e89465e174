package compose

import (
	"maps"

	"github.com/crossplane/function-sdk-go/resource"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
)

// Monitoring: prometheus-operator PodMonitors, when the Function input's
// monitoring.podMonitors is on.
const (
	resourcePickerPodMonitor   = "scheduler-podmonitor"
	resourcePickerMetricsToken = "scheduler-metrics-token"

	// podMonitorSuffix ends a role's PodMonitor's composition resource
	// name: workload-podmonitor, prefill-podmonitor.
	podMonitorSuffix = "-podmonitor"

	// vllmPortName is the model-server pod's vLLM port (modelServerPod):
	// vLLM's own /metrics, never the routing sidecar in front of it on
	// decode pods, which forwards /metrics but answers for itself when vLLM
	// is down. Pipeline stages that serve no HTTP declare no port, so
	// Prometheus finds no target on them.
	vllmPortName = "http"
	// pickerContainerMetricsPort names the picker container's metrics
	// port (pickerPod).
	pickerContainerMetricsPort = "metrics"
	// metricsPath is where vLLM and the picker serve Prometheus metrics.
	metricsPath = "/metrics"

	// saTokenKey is the key the token controller writes a ServiceAccount
	// token Secret's token under.
	saTokenKey = "token"
)

// podTargetLabels are pod labels copied onto every scraped series, so a
// dashboard can tell services and decode from prefill apart. Prometheus
// label names cannot hold '.', '/' or '-': prometheus-operator writes
// them with '_' (app_kubernetes_io_name, llm_d_ai_role).
var podTargetLabels = []string{labelName, labelRole}

// podMonitorMeta is a PodMonitor's metadata: the common labels, which carry
// app.kubernetes.io/part-of: llminferenceservice for a platform's
// podMonitorSelector, and the input's monitoring labels over them.
func (b *builder) podMonitorMeta(name, component string) metav1.ObjectMeta {
	m := b.objectMeta(name, component)
	maps.Copy(m.Labels, b.cfg.MonitoringLabels)
	return m
}

// modelServerPodMonitors compose one PodMonitor per model-server workload,
// selecting its pods as the workload does.
func (b *builder) modelServerPodMonitors() []Object {
	if !b.cfg.PodMonitors {
		return nil
	}
	var objs []Object
	for _, r := range b.roles() {
		sel := b.workloadSelector(r)
		pm := &monitoringv1.PodMonitor{
			TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PodMonitorsKind},
			ObjectMeta: b.podMonitorMeta(names.Child(b.svc.Name, r.name+"-metrics"), r.component),
			Spec: monitoringv1.PodMonitorSpec{
				Selector:        metav1.LabelSelector{MatchLabels: sel},
				PodTargetLabels: podTargetLabels,
				PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{
					Port: ptr.To(vllmPortName),
					Path: metricsPath,
				}},
			},
		}
		objs = append(objs, Object{Name: resource.Name(r.name + podMonitorSuffix), Object: pm})
	}
	return objs
}

// pickerMetricsTokenName is the Secret holding the picker
// ServiceAccount's token that Prometheus scrapes the picker with.
func pickerMetricsTokenName(svc string) string { return names.Child(svc, "epp-metrics-token") }

// pickerPodMonitor composes the picker's PodMonitor. With metricsAuth
// TokenReview the picker admits a scrape whose bearer token a TokenReview
// accepts and a SubjectAccessReview allows to get /metrics: the
// PodMonitor sends the token of the picker's own ServiceAccount, from a
// ServiceAccount token Secret the token controller fills in, as the
// inference extension's chart does. The platform grants that
// ServiceAccount system:auth-delegator (for the reviews) and get on the
// non-resource URL /metrics (README). With None it scrapes without a
// token.
func (b *builder) pickerPodMonitor() []Object {
	if !b.cfg.PodMonitors {
		return nil
	}
	ep := monitoringv1.PodMetricsEndpoint{Port: ptr.To(pickerContainerMetricsPort), Path: metricsPath}
	var objs []Object
	if b.cfg.PickerMetricsAuth != v1beta1.MetricsAuthNone {
		meta := b.objectMeta(pickerMetricsTokenName(b.svc.Name), componentScheduler)
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations[corev1.ServiceAccountNameKey] = pickerName(b.svc.Name)
		objs = append(objs, Object{Name: resourcePickerMetricsToken, Object: &corev1.Secret{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
			ObjectMeta: meta,
			Type:       corev1.SecretTypeServiceAccountToken,
		}})
		ep.Authorization = &monitoringv1.SafeAuthorization{
			Type: "Bearer",
			Credentials: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: pickerMetricsTokenName(b.svc.Name)},
				Key:                  saTokenKey,
			},
		}
	}
	pm := &monitoringv1.PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PodMonitorsKind},
		ObjectMeta: b.podMonitorMeta(names.Child(b.svc.Name, "epp-metrics"), componentScheduler),
		Spec: monitoringv1.PodMonitorSpec{
			Selector:            metav1.LabelSelector{MatchLabels: b.selectorLabels(componentScheduler)},
			PodTargetLabels:     []string{labelName},
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{ep},
		},
	}
	return append(objs, Object{Name: resourcePickerPodMonitor, Object: pm})
}

// podMonitors are the PodMonitors the Function input asks for: the model
// servers', and the picker's when the function composes it.
func (b *builder) podMonitors() []Object {
	objs := b.modelServerPodMonitors()
	if b.managedScheduler() {
		objs = append(objs, b.pickerPodMonitor()...)
	}
	return objs
}
