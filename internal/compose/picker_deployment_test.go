package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// TestPickerArgs pins the picker's flags: the function's, the input's
// metricsAuth choice, and the platform's and user's flags after them, each
// flag once.
func TestPickerArgs(t *testing.T) {
	own := []string{
		"--pool-name=llama-inference-pool", "--pool-namespace=team-a", "--pool-group=inference.networking.k8s.io",
		"--config-file=/config/config.yaml", "--grpc-port=9002", "--grpc-health-port=9003", "--metrics-port=9090",
		"--zap-encoder=json", "--tracing=false",
	}
	with := func(more ...string) []string { return append(append([]string{}, own...), more...) }
	template := func(args ...any) map[string]any {
		return map[string]any{"template": map[string]any{"containers": []any{map[string]any{"name": "main", "args": args}}}}
	}
	cases := map[string]struct {
		reason      string
		scheduler   map[string]any
		metricsAuth v1beta1.MetricsAuth
		extraArgs   []string
		want        []string
	}{
		"TokenReview": {
			reason: "By default the picker keeps its token reviews on /metrics.",
			want:   own,
		},
		"MetricsAuthOff": {
			reason:      "metricsAuth None turns them off for a Prometheus that scrapes without a token.",
			metricsAuth: v1beta1.MetricsAuthNone,
			want:        with("--metrics-endpoint-auth=false"),
		},
		"KServeTemplateFlags": {
			reason:      "KServe's configs repeat the pool and the ports and add TLS flags: the repeats appear once.",
			metricsAuth: v1beta1.MetricsAuthNone,
			scheduler: template("--pool-name", "llama-inference-pool", "--grpc-port", "9002", "--secure-serving", "--cert-path", "/etc/ssl/certs",
				"--metrics-endpoint-auth=false"),
			want: with("--metrics-endpoint-auth=false", "--secure-serving", "--cert-path", "/etc/ssl/certs"),
		},
		"PlatformThenUser": {
			reason:    "The platform's flags, then the user's; a user's repeat of the platform's appears once.",
			extraArgs: []string{"--v=2"},
			scheduler: template("--v=2", "--v=4"),
			want:      with("--v=2", "--v=4"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.metricsAuth != "" {
				cfg.PickerMetricsAuth = tc.metricsAuth
			}
			cfg.PickerExtraArgs = tc.extraArgs
			res := buildWith(t, cfg, schedulerSpec(tc.scheduler, nil))
			d := find[*appsv1.Deployment](t, res.Objects, ResourcePickerDeployment)
			c := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
			if diff := cmp.Diff(tc.want, c.Args); diff != "" {
				t.Errorf("%s\npicker args: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
