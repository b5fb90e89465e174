package config

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// TestFromInputRefuses is the table of the rules of the Function input,
// which nothing else validates: it is an opaque object nested in a
// Composition. Each refusal names the input field.
func TestFromInputRefuses(t *testing.T) {
	cases := map[string]struct {
		input string
		want  []string
	}{
		"PrometheusNoURL": {
			input: `{"autoscaling": {"prometheus": {"tlsInsecureSkipVerify": true}}}`,
			want:  []string{"input.autoscaling.prometheus.url: Required value", "the Prometheus API KEDA queries"},
		},
		"PrometheusBadURL": {
			input: `{"autoscaling": {"prometheus": {"url": "prometheus:9090"}}}`,
			want:  []string{`input.autoscaling.prometheus.url: Invalid value: "prometheus:9090"`, "http:// or https:// URL"},
		},
		"PrometheusAuthModesWithoutTriggerAuth": {
			input: `{"autoscaling": {"prometheus": {"url": "http://p:9090", "authModes": "bearer"}}}`,
			want:  []string{`input.autoscaling.prometheus.authModes: Invalid value: "bearer"`, "authModes and triggerAuthName must be set together"},
		},
		"PrometheusTriggerAuthWithoutAuthModes": {
			input: `{"autoscaling": {"prometheus": {"url": "http://p:9090", "triggerAuthName": "prom"}}}`,
			want:  []string{`input.autoscaling.prometheus.authModes: Invalid value: ""`, "authModes and triggerAuthName must be set together"},
		},
		"PrometheusUnknownAuthMode": {
			input: `{"autoscaling": {"prometheus": {"url": "http://p:9090", "authModes": "bearer,oauth", "triggerAuthName": "prom"}}}`,
			want:  []string{`input.autoscaling.prometheus.authModes: Unsupported value: "oauth"`, `"basic", "bearer", "tls", "custom"`},
		},
		"PrometheusUnknownTriggerAuthKind": {
			input: `{"autoscaling": {"prometheus": {"url": "http://p:9090", "authModes": "bearer", "triggerAuthName": "prom", "triggerAuthKind": "Secret"}}}`,
			want:  []string{`input.autoscaling.prometheus.triggerAuthKind: Unsupported value: "Secret"`},
		},
		"PrometheusKindWithoutName": {
			input: `{"autoscaling": {"prometheus": {"url": "http://p:9090", "triggerAuthKind": "ClusterTriggerAuthentication"}}}`,
			want:  []string{"input.autoscaling.prometheus.triggerAuthName: Required value", "set the name too"},
		},
		"PrometheusWithAuth": {
			input: `{"autoscaling": {"prometheus": {"url": "https://p.monitoring.svc:9090", "tlsInsecureSkipVerify": true, "authModes": "bearer, tls", "triggerAuthName": "prom", "triggerAuthKind": "ClusterTriggerAuthentication"}}}`,
		},
		"UnknownProvider": {
			input: `{"router": {"provider": "Linkerd"}}`,
			want:  []string{"input.router.provider", `Unsupported value: "Linkerd"`, `"None", "Istio", "GKE"`},
		},
		"UnknownFailureMode": {
			input: `{"router": {"scheduler": {"failureMode": "FailSometimes"}}}`,
			want:  []string{"input.router.scheduler.failureMode", `Unsupported value: "FailSometimes"`, `"FailOpen", "FailClose"`},
		},
		"PickerReservedFlag": {
			input: `{"router": {"scheduler": {"extraArgs": ["--zap-log-level=debug", "--grpc-port=9100"]}}}`,
			want:  []string{"input.router.scheduler.extraArgs[1]", "--grpc-port is set by the function", "port 9002"},
		},
		"PickerReservedFlagOneDash": {
			input: `{"router": {"scheduler": {"extraArgs": ["-pool-name", "other"]}}}`,
			want:  []string{"input.router.scheduler.extraArgs[0]", "--pool-name is set by the function"},
		},
		"PickerOwnPortInExtraArgs": {
			// A value that is the same for every service agrees.
			input: `{"router": {"scheduler": {"extraArgs": ["--grpc-port=9002", "--grpc-health-port", "9003"]}}}`,
		},
		"PickerEndpointSelector": {
			input: `{"router": {"scheduler": {"extraArgs": ["--endpoint-selector", "app=x"]}}}`,
			want:  []string{"input.router.scheduler.extraArgs[0]", "--endpoint-selector is set by the function", "refuses it next to --pool-name"},
		},
		"PickerPlainTextUnderIstio": {
			input: `{"router": {"provider": "Istio", "scheduler": {"extraArgs": ["--secure-serving=false"]}}}`,
			want:  []string{"input.router.scheduler.extraArgs[0]", "--secure-serving is set by the function", "Istio DestinationRule", "talk TLS to the picker"},
		},
		"PickerPlainTextWithoutIstio": {
			input: `{"router": {"provider": "GKE", "scheduler": {"extraArgs": ["--secure-serving=false"]}}}`,
		},
		"UnknownServiceConfigs": {
			input: `{"serviceConfigs": "Off"}`,
			want:  []string{"input.serviceConfigs", `Unsupported value: "Off"`, `"Enabled", "Disabled"`},
		},
		"MonitoringLabelNotALabel": {
			input: `{"monitoring": {"podMonitors": true, "labels": {"release": "prometheus stack"}}}`,
			want:  []string{"input.monitoring.labels[release]", `"prometheus stack"`, "podMonitorSelector"},
		},
		"MonitoringLabelsWithoutPodMonitors": {
			input: `{"monitoring": {"labels": {"release": "prometheus"}}}`,
			want:  []string{"input.monitoring.labels", "PodMonitors, which are off: set input.monitoring.podMonitors: true"},
		},
		"MonitoringLabels": {
			input: `{"monitoring": {"podMonitors": true, "labels": {"release": "prometheus"}}}`,
		},
		"UnknownMetricsAuth": {
			input: `{"router": {"scheduler": {"metricsAuth": "Basic"}}}`,
			want:  []string{"input.router.scheduler.metricsAuth", `Unsupported value: "Basic"`, `"TokenReview", "None"`},
		},
		"MetricsAuthOffInExtraArgs": {
			// The choice is metricsAuth's, made once.
			input: `{"router": {"scheduler": {"extraArgs": ["--metrics-endpoint-auth=false"]}}}`,
			want:  []string{"input.router.scheduler.extraArgs[0]", "--metrics-endpoint-auth=false contradicts input.router.scheduler.metricsAuth (TokenReview)"},
		},
		"MetricsAuthOnInExtraArgs": {
			input: `{"router": {"scheduler": {"metricsAuth": "None", "extraArgs": ["--metrics-endpoint-auth"]}}}`,
			want:  []string{"input.router.scheduler.extraArgs[0]", "--metrics-endpoint-auth contradicts input.router.scheduler.metricsAuth (None)"},
		},
		"MetricsAuthOffTwice": {
			input: `{"router": {"scheduler": {"metricsAuth": "None", "extraArgs": ["--metrics-endpoint-auth=false"]}}}`,
		},
		"BadGatewayClass": {
			input: `{"router": {"gateway": {"className": "Istio_GW"}}}`,
			want:  []string{"input.router.gateway.className", `Invalid value: "Istio_GW"`},
		},
		"UnknownEmptyGateway": {
			input: `{"router": {"gateway": {"whenEmpty": "Shared"}}}`,
			want:  []string{"input.router.gateway.whenEmpty", `Unsupported value: "Shared"`, `"Managed", "Platform"`},
		},
		"PlatformEmptyGateway": {
			input: `{"router": {"gateway": {"whenEmpty": "Platform"}}}`,
		},
		"NegativeSharedMemory": {
			input: `{"modelServer": {"sharedMemorySize": "-1Gi"}}`,
			want:  []string{"input.modelServer.sharedMemorySize", "must be positive"},
		},
		"StartupTimeoutTooShort": {
			input: `{"modelServer": {"startupTimeout": "5s"}}`,
			want:  []string{"input.modelServer.startupTimeout", "must be at least 10s"},
		},
		"RunAsRoot": {
			input: `{"modelServer": {"runAsUser": 0}}`,
			want:  []string{"input.modelServer.runAsUser", "must be a non-root user ID"},
		},
		"HFTokenRefWithoutKey": {
			input: `{"storage": {"hfTokenSecretRef": {"name": "hf"}}}`,
			want:  []string{"input.storage.hfTokenSecretRef: Required value", "name and key of the Secret"},
		},
		"S3RefWithoutName": {
			input: `{"storage": {"s3CredentialsSecretRef": {}}}`,
			want:  []string{"input.storage.s3CredentialsSecretRef.name: Required value"},
		},
		"UnknownOCIMode": {
			input: `{"storage": {"oci": "Copy"}}`,
			want:  []string{"input.storage.oci", `Unsupported value: "Copy"`},
		},
		"BadNamespace": {
			input: `{"namespace": "Team_A"}`,
			want:  []string{"input.namespace", `Invalid value: "Team_A"`},
		},
		"BadLabel": {
			input: `{"labels": {"team": "a b"}}`,
			want:  []string{"input.labels[team]", `Invalid value: "a b"`},
		},
		"ZeroTTL": {
			input: `{"readyTTL": "0s"}`,
			want:  []string{"input.readyTTL", "readyTTL and unreadyTTL must be positive"},
		},
		"PresetNotAnObject": {
			input: `{"presets": {"h100": "tensor: 4"}}`,
			want:  []string{"input.presets[h100]", "must be an LLMInferenceService spec fragment (an object)"},
		},
		"PresetWithBaseRefs": {
			input: `{"presets": {"h100": {"baseRefs": [{"name": "other"}]}}}`,
			want:  []string{"input.presets[h100].baseRefs: Forbidden", "cannot name base configurations itself"},
		},
		"BadSystemNamespace": {
			input: `{"systemNamespace": "KServe"}`,
			want:  []string{"input.systemNamespace", `Invalid value: "KServe"`},
		},
		"PlatformGatewayWithoutName": {
			input: `{"router": {"gateway": {"platform": {"namespace": "gateways"}}}}`,
			want:  []string{"input.router.gateway.platform.name: Required value"},
		},
		"BadPlatformGateway": {
			input: `{"router": {"gateway": {"platform": {"name": "Inference_GW", "namespace": "gateways.example"}}}}`,
			want:  []string{"input.router.gateway.platform.name", `Invalid value: "Inference_GW"`, "input.router.gateway.platform.namespace", `Invalid value: "gateways.example"`},
		},
		"BadModelRoutingHeader": {
			input: `{"router": {"modelBasedRoutingHeaderName": "X Model"}}`,
			want:  []string{"input.router.modelBasedRoutingHeaderName", `Invalid value: "X Model"`},
		},
		"BadModelRoutingMode": {
			input: `{"router": {"modelBasedRoutingMode": "Enabled"}}`,
			want:  []string{"input.router.modelBasedRoutingMode", `Unsupported value: "Enabled"`, `"enabled", "forced", "disabled"`},
		},
		"ModelRoutingForced": {
			input: `{"router": {"modelBasedRoutingMode": "forced"}}`,
		},
		"BadModelNameCollisions": {
			input: `{"router": {"modelNameCollisions": "Ignore"}}`,
			want:  []string{"input.router.modelNameCollisions", `Unsupported value: "Ignore"`, `"detect", "ignore"`},
		},
		"ModelNameCollisionsIgnored": {
			input: `{"router": {"modelNameCollisions": "ignore"}}`,
		},
		// router.authentication.
		"AuthenticationWithoutGateway": {
			input: `{"router": {"authentication": {"jwt": {"issuer": "https://i", "jwksURI": "https://i/jwks"}}}}`,
			want:  []string{"input.router.authentication.gateway: Required value", "set gateway to Istio or EnvoyGateway"},
		},
		"AuthenticationUnknownGateway": {
			input: `{"router": {"authentication": {"gateway": "Kong", "jwt": {"issuer": "https://i", "jwksURI": "https://i/jwks"}}}}`,
			want:  []string{`input.router.authentication.gateway: Unsupported value: "Kong"`, `"Istio", "EnvoyGateway"`},
		},
		"AuthenticationNothingToCheck": {
			input: `{"router": {"authentication": {"gateway": "EnvoyGateway"}}}`,
			want:  []string{"input.router.authentication.jwt: Required value", "jwt or apiKey"},
		},
		"AuthenticationJWTAndAPIKey": {
			input: `{"router": {"authentication": {"gateway": "EnvoyGateway", "jwt": {"issuer": "https://i", "jwksURI": "https://i/jwks"}, "apiKey": {"secretRefs": [{"name": "keys"}]}}}}`,
			want:  []string{"input.router.authentication.apiKey", "set one of jwt and apiKey"},
		},
		"AuthenticationIstioAPIKey": {
			input: `{"router": {"authentication": {"gateway": "Istio", "apiKey": {"secretRefs": [{"name": "keys"}]}}}}`,
			want:  []string{"input.router.authentication.apiKey", "Istio has no API key authentication"},
		},
		"AuthenticationJWTIncomplete": {
			input: `{"router": {"authentication": {"gateway": "Istio", "jwt": {"jwksURI": "http://i/jwks", "audiences": [""]}}}}`,
			want: []string{"input.router.authentication.jwt.issuer: Required value", `input.router.authentication.jwt.jwksURI: Invalid value: "http://i/jwks"`, "https:// URL",
				"input.router.authentication.jwt.audiences[0]: Required value"},
		},
		"AuthenticationAPIKeyIncomplete": {
			input: `{"router": {"authentication": {"gateway": "EnvoyGateway", "apiKey": {"header": "x api key"}}}}`,
			want:  []string{"input.router.authentication.apiKey.secretRefs: Required value", `input.router.authentication.apiKey.header: Invalid value: "x api key"`},
		},
		"AuthenticationBadSecretName": {
			input: `{"router": {"authentication": {"gateway": "EnvoyGateway", "apiKey": {"secretRefs": [{"name": "API_keys"}]}}}}`,
			want:  []string{`input.router.authentication.apiKey.secretRefs[0].name: Invalid value: "API_keys"`, "name a Secret in the service's namespace"},
		},
		"AuthenticationUnknownOptOut": {
			input: `{"router": {"authentication": {"gateway": "Istio", "jwt": {"issuer": "https://i", "jwksURI": "https://i/jwks"}, "serviceOptOut": "Never"}}}`,
			want:  []string{`input.router.authentication.serviceOptOut: Unsupported value: "Never"`},
		},
		// Pod security (podsecurity.go).
		"UnknownPodSecurityLevel": {
			input: `{"podSecurity": {"level": "Baseline"}}`,
			want:  []string{"input.podSecurity.level", `Unsupported value: "Baseline"`, `"privileged", "baseline", "restricted"`},
		},
		"UnknownIPCLockSwitch": {
			input: `{"podSecurity": {"ipcLock": "true"}}`,
			want:  []string{"input.podSecurity.ipcLock", `Unsupported value: "true"`, `"Enabled", "Disabled"`},
		},
		"PodSecurity": {
			input: `{"podSecurity": {"level": "restricted", "ipcLock": "Enabled"}}`,
		},
		"NetworkPolicyUnknownMode": {
			input: `{"networkPolicy": {"mode": "Off"}}`,
			want:  []string{"input.networkPolicy.mode", `Unsupported value: "Off"`, `"Enabled", "Disabled"`},
		},
		"NetworkPolicyGatewayWhileDisabled": {
			input: `{"networkPolicy": {"mode": "Disabled", "gateway": {"namespaces": ["gateways"]}}}`,
			want:  []string{`input.networkPolicy.mode: Invalid value: "Disabled"`, "which are off: set mode Enabled, or remove them"},
		},
		"NetworkPolicyMonitoringWhileDisabled": {
			input: `{"networkPolicy": {"mode": "Disabled", "monitoring": {"namespaces": ["monitoring"]}}}`,
			want:  []string{`input.networkPolicy.mode: Invalid value: "Disabled"`},
		},
		"NetworkPolicyBadMonitoringNamespace": {
			input: `{"networkPolicy": {"monitoring": {"namespaces": ["monitoring", "Prometheus_NS"]}}}`,
			want:  []string{`input.networkPolicy.monitoring.namespaces[1]: Invalid value: "Prometheus_NS"`, "list namespace names"},
		},
		"NetworkPolicyBadGatewayNamespace": {
			input: `{"networkPolicy": {"gateway": {"namespaces": ["gw.example"]}}}`,
			want:  []string{`input.networkPolicy.gateway.namespaces[0]: Invalid value: "gw.example"`},
		},
		"NetworkPolicyNamespacesAndSelector": {
			input: `{"networkPolicy": {"gateway": {"namespaces": ["gateways"], "namespaceSelector": {"matchLabels": {"role": "gateway"}}}}}`,
			want:  []string{"input.networkPolicy.gateway.namespaceSelector", "cannot be set with input.networkPolicy.gateway.namespaces"},
		},
		"NetworkPolicyBadPodSelector": {
			input: `{"networkPolicy": {"gateway": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "Near"}]}}}}`,
			want:  []string{"input.networkPolicy.gateway.podSelector", "is not a valid label selector", `"Near" is not a valid label selector operator`},
		},
		"NetworkPolicyBadNamespaceSelector": {
			input: `{"networkPolicy": {"gateway": {"namespaceSelector": {"matchLabels": {"role": "a b"}}}}}`,
			want:  []string{"input.networkPolicy.gateway.namespaceSelector", "is not a valid label selector"},
		},
		"NetworkPolicyDisabled": {
			input: `{"networkPolicy": {"mode": "Disabled"}}`,
		},
		"NetworkPolicyGatewaySelectors": {
			input: `{"networkPolicy": {"gateway": {"namespaceSelector": {"matchLabels": {"role": "gateway"}}, "podSelector": {"matchLabels": {"app": "gw"}}}, "monitoring": {"namespaces": ["monitoring"]}}}`,
		},
		"Valid": {
			input: `{"images": {"modelServer": "vllm/vllm-openai:v0.27.1"}, "modelServer": {"runAsUser": 1000, "startupTimeout": "1h"},
			  "router": {"provider": "Istio", "gateway": {"className": "istio", "platform": {"name": "inference"}}, "modelBasedRoutingHeaderName": "X-Model",
			    "scheduler": {"failureMode": "FailClose", "extraArgs": ["--v=2", "--tracing=true"]}}, "systemNamespace": "platform",
			  "storage": {"oci": "ImageVolume", "hfTokenSecretRef": {"name": "hf", "key": "token"}}, "namespace": "models", "labels": {"team": "a"},
			  "presets": {"h100": {"template": {"nodeSelector": {"gpu": "h100"}}}}, "readyTTL": "5m"}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &v1beta1.Input{}
			if err := json.Unmarshal([]byte(tc.input), in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			_, errs := FromInput(in)
			got := errs.ToAggregate()
			if len(tc.want) == 0 {
				if got != nil {
					t.Fatalf("FromInput: want no errors, got %v", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("FromInput: want an error mentioning %q, got none", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("the errors do not mention %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestFromInputPlatform checks what the input says of the platform around
// the function, which Go templates read as .GlobalConfig: KServe's
// defaults, and a Gateway named without a namespace in the system
// namespace, as KServe reads one.
func TestFromInputPlatform(t *testing.T) {
	cases := map[string]struct {
		input string
		want  Config
	}{
		"Defaults": {
			input: `{}`,
			want:  Config{SystemNamespace: "kserve", PlatformGateway: GatewayRef{Name: "kserve-ingress-gateway", Namespace: "kserve"}, ModelBasedRoutingHeaderName: "X-Gateway-Model-Name", ModelBasedRoutingMode: v1beta1.ModelBasedRoutingEnabled, EmptyGateway: v1beta1.EmptyGatewayManaged, ServiceConfigs: true},
		},
		"SystemNamespace": {
			input: `{"systemNamespace": "platform"}`,
			want:  Config{SystemNamespace: "platform", PlatformGateway: GatewayRef{Name: "kserve-ingress-gateway", Namespace: "platform"}, ModelBasedRoutingHeaderName: "X-Gateway-Model-Name", ModelBasedRoutingMode: v1beta1.ModelBasedRoutingEnabled, EmptyGateway: v1beta1.EmptyGatewayManaged, ServiceConfigs: true},
		},
		"GatewayName": {
			input: `{"systemNamespace": "platform", "router": {"gateway": {"platform": {"name": "inference"}}}}`,
			want:  Config{SystemNamespace: "platform", PlatformGateway: GatewayRef{Name: "inference", Namespace: "platform"}, ModelBasedRoutingHeaderName: "X-Gateway-Model-Name", ModelBasedRoutingMode: v1beta1.ModelBasedRoutingEnabled, EmptyGateway: v1beta1.EmptyGatewayManaged, ServiceConfigs: true},
		},
		"ServiceConfigsEnabled": {
			input: `{"serviceConfigs": "Enabled"}`,
			want:  Config{SystemNamespace: "kserve", PlatformGateway: GatewayRef{Name: "kserve-ingress-gateway", Namespace: "kserve"}, ModelBasedRoutingHeaderName: "X-Gateway-Model-Name", ModelBasedRoutingMode: v1beta1.ModelBasedRoutingEnabled, EmptyGateway: v1beta1.EmptyGatewayManaged, ServiceConfigs: true},
		},
		"Everything": {
			input: `{"serviceConfigs": "Disabled", "router": {"gateway": {"platform": {"name": "inference", "namespace": "gateways"}, "whenEmpty": "Platform"}, "modelBasedRoutingHeaderName": "X-Model", "modelBasedRoutingMode": "disabled"}}`,
			want:  Config{SystemNamespace: "kserve", PlatformGateway: GatewayRef{Name: "inference", Namespace: "gateways"}, ModelBasedRoutingHeaderName: "X-Model", ModelBasedRoutingMode: v1beta1.ModelBasedRoutingDisabled, EmptyGateway: v1beta1.EmptyGatewayPlatform},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &v1beta1.Input{}
			if err := json.Unmarshal([]byte(tc.input), in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			c, errs := FromInput(in)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := Config{SystemNamespace: c.SystemNamespace, PlatformGateway: c.PlatformGateway, ModelBasedRoutingHeaderName: c.ModelBasedRoutingHeaderName, ModelBasedRoutingMode: c.ModelBasedRoutingMode, EmptyGateway: c.EmptyGateway, ServiceConfigs: c.ServiceConfigs}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FromInput: -want, +got:\n%s", diff)
			}
		})
	}
}

// TestFromInputNetworkPolicy checks what the input's networkPolicy block
// resolves to: on by default with the built-in gateway peers (nil), off
// when Disabled, and the gateway's pods and the monitoring namespaces as
// the input names them, the namespaces sorted and without repeats.
func TestFromInputNetworkPolicy(t *testing.T) {
	type np struct {
		On         bool
		Gateway    *NetworkPolicyGateway
		Monitoring []string
	}
	cases := map[string]struct {
		reason string
		input  string
		want   np
	}{
		"Default": {
			reason: "policies are on, for the gateways Istio and Envoy Gateway deploy",
			input:  `{}`,
			want:   np{On: true},
		},
		"Enabled": {
			reason: "Enabled is the default said out loud",
			input:  `{"networkPolicy": {"mode": "Enabled"}}`,
			want:   np{On: true},
		},
		"Disabled": {
			reason: "Disabled composes no policies",
			input:  `{"networkPolicy": {"mode": "Disabled"}}`,
			want:   np{},
		},
		"GatewayNamespaces": {
			reason: "namespaces are sorted and repeats dropped, so the policies do not change with the input's order",
			input:  `{"networkPolicy": {"gateway": {"namespaces": ["ingress-b", "ingress-a", "ingress-b"]}, "monitoring": {"namespaces": ["prom", "monitoring"]}}}`,
			want:   np{On: true, Gateway: &NetworkPolicyGateway{Namespaces: []string{"ingress-a", "ingress-b"}}, Monitoring: []string{"monitoring", "prom"}},
		},
		"GatewaySelectors": {
			reason: "selectors are kept as written",
			input:  `{"networkPolicy": {"gateway": {"namespaceSelector": {"matchLabels": {"role": "gateway"}}, "podSelector": {"matchLabels": {"app": "gw"}}}}}`,
			want: np{On: true, Gateway: &NetworkPolicyGateway{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"role": "gateway"}},
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"app": "gw"}},
			}},
		},
		"GatewayEmpty": {
			reason: "gateway: {} is every pod in the namespace of each Gateway",
			input:  `{"networkPolicy": {"gateway": {}}}`,
			want:   np{On: true, Gateway: &NetworkPolicyGateway{}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &v1beta1.Input{}
			if err := json.Unmarshal([]byte(tc.input), in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			c, errs := FromInput(in)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := np{On: c.NetworkPolicies, Gateway: c.NetworkPolicyGateway, Monitoring: c.MonitoringNamespaces}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nFromInput: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestFromInputKVEventsImages checks the images of precise prefix-cache
// routing and the latency predictor: the built-in ones by default, the
// input's when it names them.
func TestFromInputKVEventsImages(t *testing.T) {
	type images struct{ Tokenizer, Training, Prediction string }
	cases := map[string]struct {
		input string
		want  images
	}{
		"Defaults": {
			input: `{}`,
			want:  images{DefaultTokenizerImage, DefaultLatencyTrainingServerImage, DefaultLatencyPredictionServerImage},
		},
		"FromInput": {
			input: `{"images": {"tokenizer": "r/tok:1", "latencyTrainingServer": "r/train:1", "latencyPredictionServer": "r/predict:1"}}`,
			want:  images{"r/tok:1", "r/train:1", "r/predict:1"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &v1beta1.Input{}
			if err := json.Unmarshal([]byte(tc.input), in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			c, errs := FromInput(in)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if diff := cmp.Diff(tc.want, images{c.TokenizerImage, c.LatencyTrainingImage, c.LatencyPredictionImage}); diff != "" {
				t.Errorf("FromInput: -want, +got:\n%s", diff)
			}
		})
	}
}
