package compose

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// otelEnv is the OpenTelemetry env KServe sets for service, with the
// collector, exporter, sampler and its argument given.
func otelEnv(service, endpoint, exporter, sampler, arg string) []corev1.EnvVar {
	ref := func(name, path string) corev1.EnvVar {
		return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}}
	}
	return []corev1.EnvVar{
		{Name: "OTEL_SERVICE_NAME", Value: service},
		{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: endpoint},
		{Name: "OTEL_TRACES_EXPORTER", Value: exporter},
		{Name: "OTEL_TRACES_SAMPLER", Value: sampler},
		{Name: "OTEL_TRACES_SAMPLER_ARG", Value: arg},
		ref("OTEL_RESOURCE_ATTRIBUTES_NODE_NAME", "spec.nodeName"),
		ref("OTEL_RESOURCE_ATTRIBUTES_POD_NAME", "metadata.name"),
		{Name: "OTEL_RESOURCE_ATTRIBUTES", Value: "k8s.namespace.name=team-a,k8s.node.name=$(OTEL_RESOURCE_ATTRIBUTES_NODE_NAME),k8s.pod.name=$(OTEL_RESOURCE_ATTRIBUTES_POD_NAME),llmisvc.name=llama"},
	}
}

// otelOf is the OTEL_ env of c, in order.
func otelOf(c *corev1.Container) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, e := range c.Env {
		if strings.HasPrefix(e.Name, "OTEL_") {
			out = append(out, e)
		}
	}
	return out
}

// vllmFlag is the values of flag in vLLM args, nil when absent.
func vllmFlag(args []string, flag string) []string {
	for _, a := range wiring.ParseVLLMArgs(args) {
		if a.Flag == flag {
			return a.Values
		}
	}
	return nil
}

// TestTracing pins what spec.tracing adds to vLLM and the picker, as
// KServe does: OTEL env per role, vLLM's tracing flags, the picker's
// --tracing=true; what the user set stays.
func TestTracing(t *testing.T) {
	const (
		defEndpoint = "http://otel-collector:4317"
		defSampler  = "parentbased_traceidratio"
	)
	withMain := func(fields map[string]any) map[string]any {
		c := map[string]any{"name": "main"}
		for k, v := range fields {
			c[k] = v
		}
		return map[string]any{"containers": []any{c}}
	}
	cases := map[string]struct {
		reason string
		spec   map[string]any
		// want* are the main, prefill and picker env; nil for none.
		wantMain, wantPrefill, wantPicker []corev1.EnvVar
		// wantEndpoint and wantDetailed are vLLM's flags' values.
		wantEndpoint, wantDetailed []string
		wantPickerTracing          string
	}{
		"Off": {
			reason:            "Without spec.tracing nothing traces, and the picker's tracing is off.",
			spec:              map[string]any{},
			wantPickerTracing: "--tracing=false",
		},
		"Defaults": {
			reason:            "tracing: {} traces with KServe's defaults; the main workload is the decode one, the picker the scheduler.",
			spec:              map[string]any{"tracing": map[string]any{}},
			wantMain:          otelEnv("inference-server-decode", defEndpoint, "otlp", defSampler, "0.05"),
			wantPicker:        otelEnv("inference-scheduler", defEndpoint, "otlp", defSampler, "0.05"),
			wantEndpoint:      []string{defEndpoint},
			wantDetailed:      []string{"all"},
			wantPickerTracing: "--tracing=true",
		},
		"PrefillDecode": {
			reason: "The user's values win over the defaults; prefill pods are traced as the prefill server.",
			spec: map[string]any{
				"tracing": map[string]any{"exporterEndpoint": "http://tempo.observability:4317", "samplerArg": "1"},
				"prefill": map[string]any{},
			},
			wantMain:          otelEnv("inference-server-decode", "http://tempo.observability:4317", "otlp", defSampler, "1"),
			wantPrefill:       otelEnv("inference-server-prefill", "http://tempo.observability:4317", "otlp", defSampler, "1"),
			wantPicker:        otelEnv("inference-scheduler", "http://tempo.observability:4317", "otlp", defSampler, "1"),
			wantEndpoint:      []string{"http://tempo.observability:4317"},
			wantDetailed:      []string{"all"},
			wantPickerTracing: "--tracing=true",
		},
		"NoEndpoint": {
			reason: "A layer that empties the endpoint leaves vLLM untraced, as KServe; the picker traces to its SDK's default collector.",
			spec:   map[string]any{"tracing": map[string]any{"exporterEndpoint": ""}},
			wantPicker: slices.DeleteFunc(otelEnv("inference-scheduler", "", "otlp", defSampler, "0.05"),
				func(e corev1.EnvVar) bool { return e.Name == "OTEL_EXPORTER_OTLP_ENDPOINT" }),
			wantPickerTracing: "--tracing=true",
		},
		"UserSet": {
			reason: "A variable or flag the user set is the user's: the function's is left out.",
			spec: map[string]any{
				"tracing": map[string]any{},
				"template": withMain(map[string]any{
					"env":  []any{map[string]any{"name": "OTEL_SERVICE_NAME", "value": "chat"}},
					"args": []any{"--collect-detailed-traces", "model", "worker"},
				}),
			},
			wantMain: append([]corev1.EnvVar{{Name: "OTEL_SERVICE_NAME", Value: "chat"}},
				otelEnv("inference-server-decode", defEndpoint, "otlp", defSampler, "0.05")[1:]...),
			wantPicker:        otelEnv("inference-scheduler", defEndpoint, "otlp", defSampler, "0.05"),
			wantEndpoint:      []string{defEndpoint},
			wantDetailed:      []string{"model", "worker"},
			wantPickerTracing: "--tracing=true",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "router": map[string]any{"scheduler": map[string]any{}}}
			for k, v := range tc.spec {
				s[k] = v
			}
			res := buildWith(t, config.Default(), s)
			d := find[*appsv1.Deployment](t, res.Objects, ResourceWorkload)
			main := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
			if diff := cmp.Diff(tc.wantMain, otelOf(main)); diff != "" {
				t.Errorf("%s\nmain env: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantEndpoint, vllmFlag(main.Args, "--otlp-traces-endpoint")); diff != "" {
				t.Errorf("%s\n--otlp-traces-endpoint: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantDetailed, vllmFlag(main.Args, "--collect-detailed-traces")); diff != "" {
				t.Errorf("%s\n--collect-detailed-traces: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.wantPrefill != nil {
				p := find[*appsv1.Deployment](t, res.Objects, ResourcePrefill)
				if diff := cmp.Diff(tc.wantPrefill, otelOf(wiring.Container(&p.Spec.Template.Spec, wiring.MainContainer))); diff != "" {
					t.Errorf("%s\nprefill env: -want, +got:\n%s", tc.reason, diff)
				}
			}
			picker := find[*appsv1.Deployment](t, res.Objects, ResourcePickerDeployment)
			pm := wiring.Container(&picker.Spec.Template.Spec, wiring.MainContainer)
			if diff := cmp.Diff(tc.wantPicker, otelOf(pm)); diff != "" {
				t.Errorf("%s\npicker env: -want, +got:\n%s", tc.reason, diff)
			}
			if !slices.Contains(pm.Args, tc.wantPickerTracing) {
				t.Errorf("%s\npicker args %v: want %s", tc.reason, pm.Args, tc.wantPickerTracing)
			}
		})
	}
}
