package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

func TestProviderExtras(t *testing.T) {
	labels := map[string]any{
		labelName:      "llama",
		labelPartOf:    partOf,
		labelManagedBy: managedBy,
		labelComponent: componentScheduler,
	}
	poolTarget := map[string]any{
		"group": "inference.networking.k8s.io",
		"kind":  "InferencePool",
		"name":  "llama-inference-pool",
	}
	// What Crossplane receives, as ToComposed renders it: the exact JSON
	// shape each CRD expects, numbers as int64 like any decoded object.
	destinationRule := map[string]any{
		"apiVersion": "networking.istio.io/v1",
		"kind":       "DestinationRule",
		"metadata":   map[string]any{"name": "llama-epp", "namespace": "team-a", "labels": labels},
		"spec": map[string]any{
			"host": "llama-epp.team-a.svc.cluster.local",
			"trafficPolicy": map[string]any{
				"connectionPool": map[string]any{
					"tcp": map[string]any{
						"maxConnections":        int64(256000),
						"connectTimeout":        "900s",
						"maxConnectionDuration": "1800s",
					},
					"http": map[string]any{
						"http1MaxPendingRequests":  int64(256000),
						"http2MaxRequests":         int64(256000),
						"maxRequestsPerConnection": int64(256000),
						"idleTimeout":              "900s",
					},
				},
				// Protobuf's enum and wrapper types must come out as
				// the name and the bare value, not as 1 and {value: true}.
				"tls": map[string]any{"mode": "SIMPLE", "insecureSkipVerify": true},
			},
		},
	}
	healthCheckPolicy := map[string]any{
		"apiVersion": "networking.gke.io/v1",
		"kind":       "HealthCheckPolicy",
		"metadata":   map[string]any{"name": "llama-inference-pool", "namespace": "team-a", "labels": labels},
		"spec": map[string]any{
			"targetRef": poolTarget,
			"default": map[string]any{
				"timeoutSec":       int64(2),
				"checkIntervalSec": int64(2),
				"config": map[string]any{
					"type":            "HTTP",
					"httpHealthCheck": map[string]any{"requestPath": "/health", "port": int64(wiring.ModelServerPort)},
				},
			},
		},
	}
	backendPolicy := map[string]any{
		"apiVersion": "networking.gke.io/v1",
		"kind":       "GCPBackendPolicy",
		"metadata":   map[string]any{"name": "llama-inference-pool", "namespace": "team-a", "labels": labels},
		"spec": map[string]any{
			"targetRef": poolTarget,
			"default": map[string]any{
				"timeoutSec": int64(300),
				"logging":    map[string]any{"enabled": true},
			},
		},
	}

	// With prefill, decode pods run the routing sidecar on the pool's
	// port: it answers /health itself, so the check asks for /v1/models,
	// which it forwards to vLLM.
	healthCheckPolicyPD := map[string]any{
		"apiVersion": healthCheckPolicy["apiVersion"], "kind": healthCheckPolicy["kind"], "metadata": healthCheckPolicy["metadata"],
		"spec": map[string]any{
			"targetRef": poolTarget,
			"default": map[string]any{
				"timeoutSec":       int64(2),
				"checkIntervalSec": int64(2),
				"config": map[string]any{
					"type":            "HTTP",
					"httpHealthCheck": map[string]any{"requestPath": "/v1/models", "port": int64(wiring.ModelServerPort)},
				},
			},
		},
	}

	cases := map[string]struct {
		reason   string
		provider v1beta1.Provider
		prefill  bool
		want     map[string]map[string]any
	}{
		"Unset": {
			reason: "Without a provider nothing extra is composed.",
		},
		"None": {
			reason:   "None composes nothing extra: kgateway, agentgateway and NGINX need no help.",
			provider: v1beta1.ProviderNone,
		},
		"Istio": {
			reason:   "Istio gets a DestinationRule that accepts the picker's self-signed certificate and lifts the connection limits.",
			provider: v1beta1.ProviderIstio,
			want:     map[string]map[string]any{resourcePickerDestinationRule: destinationRule},
		},
		"GKE": {
			reason:   "GKE gets a health check on the pool's target port and a 300s backend timeout, both attached to the InferencePool.",
			provider: v1beta1.ProviderGKE,
			want: map[string]map[string]any{
				resourcePoolHealthCheckPolicy: healthCheckPolicy,
				resourcePoolBackendPolicy:     backendPolicy,
			},
		},
		"GKEDisaggregated": {
			reason:   "Behind the routing sidecar, GKE's health check must reach vLLM, which fails when vLLM is down.",
			provider: v1beta1.ProviderGKE,
			prefill:  true,
			want: map[string]map[string]any{
				resourcePoolHealthCheckPolicy: healthCheckPolicyPD,
				resourcePoolBackendPolicy:     backendPolicy,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Provider = tc.provider
			b := &builder{svc: &spec.Service{Name: "llama", Namespace: "team-a"}, cfg: cfg}
			if tc.prefill {
				b.svc.Spec.Prefill = &spec.WorkloadSpec{}
			}

			// Twice, to show the output doesn't depend on map order or
			// shared state.
			for range 2 {
				got := map[string]map[string]any{}
				for _, o := range b.providerExtras() {
					if _, dup := got[string(o.Name)]; dup {
						t.Errorf("%s\nproviderExtras(): resource name %q twice", tc.reason, o.Name)
					}
					cd, err := ToComposed(o.Object)
					if err != nil {
						t.Fatalf("%s\nToComposed(%s): %v", tc.reason, o.Name, err)
					}
					got[string(o.Name)] = cd.UnstructuredContent()
				}
				if diff := cmp.Diff(tc.want, got, cmpEmptyMap); diff != "" {
					t.Errorf("%s\nToComposed(providerExtras()): -want, +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

// cmpEmptyMap treats a nil and an empty set of objects alike.
var cmpEmptyMap = cmp.Transformer("empty", func(m map[string]map[string]any) map[string]map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
})

func TestProviderExtrasAnnotations(t *testing.T) {
	cfg := config.Default()
	cfg.Provider = v1beta1.ProviderGKE
	cfg.Annotations = map[string]string{"team": "ml"}
	b := &builder{svc: &spec.Service{Name: "llama", Namespace: "team-a"}, cfg: cfg}
	for _, o := range b.providerExtras() {
		if diff := cmp.Diff(cfg.Annotations, o.Object.GetAnnotations()); diff != "" {
			t.Errorf("%s: the platform's annotations go on provider extras like on every composed object: -want, +got:\n%s", o.Name, diff)
		}
	}
}
