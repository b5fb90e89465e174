package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// TestPodMonitors checks the PodMonitors the input's switch composes: which
// pods each selects, the port and path it scrapes, how it authenticates to
// the picker, and the labels a Prometheus selects them by.
func TestPodMonitors(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	on := config.Default()
	on.PodMonitors = true
	on.MonitoringLabels = map[string]string{"release": "prometheus"}
	onNoAuth := on
	onNoAuth.PickerMetricsAuth = v1beta1.MetricsAuthNone
	pd := map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}}, "prefill": map[string]any{}}

	vllm := []monitoringv1.PodMetricsEndpoint{{Port: ptr.To("http"), Path: "/metrics"}}
	token := &monitoringv1.SafeAuthorization{Type: "Bearer", Credentials: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "llama-epp-metrics-token"}, Key: "token",
	}}
	workloadSel := map[string]string{"app.kubernetes.io/name": "llama", "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": "llminferenceservice-workload"}
	prefillSel := map[string]string{"app.kubernetes.io/name": "llama", "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": "llminferenceservice-workload-prefill"}
	pickerSel := map[string]string{"app.kubernetes.io/name": "llama", "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": "llminferenceservice-router-scheduler"}

	// monitor is what a test compares of a PodMonitor.
	type monitor struct {
		Name      string
		Labels    map[string]string
		Spec      monitoringv1.PodMonitorSpec
		SecretFor string
	}
	spec := func(sel map[string]string, targetLabels []string, eps []monitoringv1.PodMetricsEndpoint) monitoringv1.PodMonitorSpec {
		return monitoringv1.PodMonitorSpec{Selector: metav1.LabelSelector{MatchLabels: sel}, PodTargetLabels: targetLabels, PodMetricsEndpoints: eps}
	}
	labels := func(component string) map[string]string {
		return map[string]string{
			"app.kubernetes.io/name": "llama", "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": component,
			"app.kubernetes.io/managed-by": "function-llm-inference-service", "release": "prometheus",
		}
	}

	cases := map[string]struct {
		reason string
		cfg    config.Config
		spec   map[string]any
		// want are the PodMonitors by composition resource name, and the
		// ServiceAccount of the token Secret under its own.
		want map[string]monitor
	}{
		"Off": {
			reason: "Without the input's switch nothing is composed: the PodMonitor CRD may not be installed.",
			cfg:    config.Default(),
			spec:   pd,
			want:   map[string]monitor{},
		},
		"SingleNode": {
			reason: "One PodMonitor for vLLM's port; no picker without a scheduler.",
			cfg:    on,
			spec:   map[string]any{"model": model},
			want: map[string]monitor{
				"workload-podmonitor": {Name: "llama-workload-metrics", Labels: labels("llminferenceservice-workload"), Spec: spec(workloadSel, []string{"app.kubernetes.io/name", "llm-d.ai/role"}, vllm)},
			},
		},
		"PrefillDecodeTokenReview": {
			reason: "Decode and prefill pods each by their workload's selector, on vLLM's port (behind the sidecar on decode pods); the picker with its ServiceAccount's token.",
			cfg:    on,
			spec:   pd,
			want: map[string]monitor{
				"workload-podmonitor": {Name: "llama-workload-metrics", Labels: labels("llminferenceservice-workload"), Spec: spec(workloadSel, []string{"app.kubernetes.io/name", "llm-d.ai/role"}, vllm)},
				"prefill-podmonitor":  {Name: "llama-prefill-metrics", Labels: labels("llminferenceservice-workload-prefill"), Spec: spec(prefillSel, []string{"app.kubernetes.io/name", "llm-d.ai/role"}, vllm)},
				"scheduler-podmonitor": {Name: "llama-epp-metrics", Labels: labels("llminferenceservice-router-scheduler"), Spec: spec(pickerSel, []string{"app.kubernetes.io/name"},
					[]monitoringv1.PodMetricsEndpoint{{Port: ptr.To("metrics"), Path: "/metrics", HTTPConfigWithProxy: monitoringv1.HTTPConfigWithProxy{HTTPConfig: monitoringv1.HTTPConfig{
						HTTPConfigWithoutTLS: monitoringv1.HTTPConfigWithoutTLS{Authorization: token},
					}}}})},
				"scheduler-metrics-token": {Name: "llama-epp-metrics-token", SecretFor: "llama-epp"},
			},
		},
		"PickerWithoutAuth": {
			reason: "metricsAuth None: the picker is scraped without a token, and no token Secret is composed.",
			cfg:    onNoAuth,
			spec:   map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}}},
			want: map[string]monitor{
				"workload-podmonitor":  {Name: "llama-workload-metrics", Labels: labels("llminferenceservice-workload"), Spec: spec(workloadSel, []string{"app.kubernetes.io/name", "llm-d.ai/role"}, vllm)},
				"scheduler-podmonitor": {Name: "llama-epp-metrics", Labels: labels("llminferenceservice-router-scheduler"), Spec: spec(pickerSel, []string{"app.kubernetes.io/name"}, []monitoringv1.PodMetricsEndpoint{{Port: ptr.To("metrics"), Path: "/metrics"}})},
			},
		},
		"ReferencedPool": {
			reason: "A referenced pool's picker is not the function's to monitor.",
			cfg:    on,
			spec:   map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{"pool": map[string]any{"ref": map[string]any{"name": "shared"}}}}},
			want: map[string]monitor{
				"workload-podmonitor": {Name: "llama-workload-metrics", Labels: labels("llminferenceservice-workload"), Spec: spec(workloadSel, []string{"app.kubernetes.io/name", "llm-d.ai/role"}, vllm)},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, tc.cfg, tc.spec)
			got := map[string]monitor{}
			for _, o := range res.Objects {
				switch v := o.Object.(type) {
				case *monitoringv1.PodMonitor:
					got[string(o.Name)] = monitor{Name: v.Name, Labels: v.Labels, Spec: v.Spec}
				case *corev1.Secret:
					if v.Type != corev1.SecretTypeServiceAccountToken || len(v.Data)+len(v.StringData) > 0 {
						t.Errorf("%s: Secret %s is not an empty ServiceAccount token Secret", tc.reason, v.Name)
					}
					got[string(o.Name)] = monitor{Name: v.Name, SecretFor: v.Annotations[corev1.ServiceAccountNameKey]}
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nPodMonitors (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestPodMonitorPortsAreServed checks that the ports the PodMonitors name
// are declared where vLLM and the picker serve /metrics: on every serving
// container, decode pods behind the routing sidecar included, and on the
// picker.
func TestPodMonitorPortsAreServed(t *testing.T) {
	cfg := config.Default()
	cfg.PodMonitors = true
	res := buildWith(t, cfg, map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "router": map[string]any{"scheduler": map[string]any{}}, "prefill": map[string]any{}})
	cases := map[string]struct {
		reason    string
		workload  string
		container string
		port      string
		want      int32
	}{
		"Decode":  {reason: "vLLM itself, behind the sidecar's 8000.", workload: ResourceWorkload, container: "main", port: vllmPortName, want: 8200},
		"Prefill": {reason: "vLLM on the pool's port.", workload: ResourcePrefill, container: "main", port: vllmPortName, want: 8000},
		"Picker":  {reason: "The picker's --metrics-port.", workload: ResourcePickerDeployment, container: "main", port: pickerContainerMetricsPort, want: 9090},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := find[*appsv1.Deployment](t, res.Objects, tc.workload)
			var got int32
			for _, c := range d.Spec.Template.Spec.Containers {
				for _, p := range c.Ports {
					if c.Name == tc.container && p.Name == tc.port {
						got = p.ContainerPort
					}
				}
			}
			if got != tc.want {
				t.Errorf("%s\ncontainer %s port %q is %d, want %d", tc.reason, tc.container, tc.port, got, tc.want)
			}
		})
	}
}
