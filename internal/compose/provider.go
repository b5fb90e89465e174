package compose

import (
	"fmt"
	"time"

	gkenetworkingv1 "github.com/GoogleCloudPlatform/gke-gateway-api/apis/networking/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	istionetworking "istio.io/api/networking/v1alpha3"
	istionetworkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	gatewayv1alpha2 "sigs.k8s.io/gateway-api/apis/v1alpha2"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Connection-pool limits of the gateway's connections to the endpoint
// picker. Every request crosses this hop twice (ext-proc request and
// response), and a generation can stream for many minutes, so Envoy's
// defaults (1024 connections, 1h idle, 10s connect) throttle or cut long
// requests under load. These are llm-d's Istio values for the picker.
const (
	pickerMaxConnections        = 256000
	pickerMaxRequests           = 256000
	pickerIdleTimeout           = 900 * time.Second
	pickerConnectTimeout        = 900 * time.Second
	pickerMaxConnectionDuration = 1800 * time.Second
)

// GKE health check and backend settings for the pool, as the inference
// extension's chart renders them for GKE.
const (
	// gkeHealthCheckPath is vLLM's liveness endpoint; GKE's default
	// health check (GET / on the serving port) fails against vLLM and
	// the load balancer then marks every endpoint unhealthy.
	gkeHealthCheckPath = "/health"
	// gkeHealthCheckPathPD is checked when decode pods run the routing
	// sidecar on the pool's port: the sidecar answers /health itself,
	// always 200, but forwards /v1/models to vLLM (real-binaries.md,
	// mismatch 7), so the check fails when vLLM is down. It is the path
	// the pods' readiness probes check too. The policy's port is the
	// pool's, for decode and prefill pods alike, so vLLM's own port
	// behind the sidecar cannot be checked instead.
	gkeHealthCheckPathPD      = "/v1/models"
	gkeHealthCheckTimeoutSec  = 2
	gkeHealthCheckIntervalSec = 2
	// gkeBackendTimeoutSec raises the load balancer's 30s default
	// backend timeout, which would cut most generations short.
	gkeBackendTimeoutSec = 300
)

// providerExtras composes the objects the Gateway implementation named by
// the Function input needs for a managed scheduler to work: Istio must be
// told to accept the endpoint picker's self-signed certificate, GKE needs
// a health check and backend policy for the InferencePool.
func (b *builder) providerExtras() []Object {
	switch b.cfg.Provider {
	case v1beta1.ProviderIstio:
		return []Object{{Name: resourcePickerDestinationRule, Object: b.pickerDestinationRule()}}
	case v1beta1.ProviderGKE:
		return []Object{
			{Name: resourcePoolHealthCheckPolicy, Object: b.poolHealthCheckPolicy()},
			{Name: resourcePoolBackendPolicy, Object: b.poolBackendPolicy()},
		}
	default:
		return nil
	}
}

// pickerDestinationRule makes the gateway talk TLS to the endpoint picker
// without verifying its certificate: the picker generates a self-signed
// one at startup, which no CA the mesh knows has signed.
//
// The spec is a protobuf message whose JSON form (camelCase names, enums
// as names, durations as "900s", wrappers as bare values) only its own
// MarshalJSON produces. ToComposed still gets it right: the unstructured
// converter defers to a type's json.Marshaler, and Istio generates one for
// every spec message. TestProviderExtras pins that down.
func (b *builder) pickerDestinationRule() *istionetworkingv1.DestinationRule {
	name := pickerName(b.svc.Name)
	return &istionetworkingv1.DestinationRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: istionetworkingv1.SchemeGroupVersion.String(), Kind: "DestinationRule"},
		ObjectMeta: b.objectMeta(name, componentScheduler),
		Spec: istionetworking.DestinationRule{
			Host: fmt.Sprintf("%s.%s.svc.cluster.local", name, b.svc.Namespace),
			TrafficPolicy: &istionetworking.TrafficPolicy{
				ConnectionPool: &istionetworking.ConnectionPoolSettings{
					Tcp: &istionetworking.ConnectionPoolSettings_TCPSettings{
						MaxConnections:        pickerMaxConnections,
						ConnectTimeout:        durationpb.New(pickerConnectTimeout),
						MaxConnectionDuration: durationpb.New(pickerMaxConnectionDuration),
					},
					Http: &istionetworking.ConnectionPoolSettings_HTTPSettings{
						Http1MaxPendingRequests:  pickerMaxRequests,
						Http2MaxRequests:         pickerMaxRequests,
						MaxRequestsPerConnection: pickerMaxRequests,
						IdleTimeout:              durationpb.New(pickerIdleTimeout),
					},
				},
				Tls: &istionetworking.ClientTLSSettings{
					Mode:               istionetworking.ClientTLSSettings_SIMPLE,
					InsecureSkipVerify: wrapperspb.Bool(true),
				},
			},
		},
	}
}

// poolTargetRef points a GKE policy at the managed InferencePool.
func (b *builder) poolTargetRef() gatewayv1alpha2.NamespacedPolicyTargetReference {
	return gatewayv1alpha2.NamespacedPolicyTargetReference{
		// GKE's controllers match the target by group and kind, so both
		// are spelled out.
		Group: giev1.GroupName,
		Kind:  wiring.PoolKind,
		Name:  gatewayv1.ObjectName(managedPoolName(b.svc.Name)),
	}
}

// poolHealthCheckPolicy health-checks the pool's endpoints on the port the
// pool sends traffic to, on a path that reaches vLLM.
func (b *builder) poolHealthCheckPolicy() *gkenetworkingv1.HealthCheckPolicy {
	name := managedPoolName(b.svc.Name)
	path := gkeHealthCheckPath
	if b.svc.Spec.Prefill != nil {
		path = gkeHealthCheckPathPD
	}
	return &gkenetworkingv1.HealthCheckPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: gkenetworkingv1.SchemeGroupVersion.String(), Kind: "HealthCheckPolicy"},
		ObjectMeta: b.objectMeta(name, componentScheduler),
		Spec: gkenetworkingv1.HealthCheckPolicySpec{
			TargetRef: b.poolTargetRef(),
			Default: &gkenetworkingv1.HealthCheckPolicyConfig{
				TimeoutSec:       ptr.To[int64](gkeHealthCheckTimeoutSec),
				CheckIntervalSec: ptr.To[int64](gkeHealthCheckIntervalSec),
				Config: &gkenetworkingv1.HealthCheck{
					Type: gkenetworkingv1.HTTP,
					HTTP: &gkenetworkingv1.HTTPHealthCheck{
						CommonHealthCheck:     gkenetworkingv1.CommonHealthCheck{Port: ptr.To[int64](wiring.ModelServerPort)},
						CommonHTTPHealthCheck: gkenetworkingv1.CommonHTTPHealthCheck{RequestPath: ptr.To(path)},
					},
				},
			},
		},
	}
}

// poolBackendPolicy sets the load balancer's backend timeout for the pool
// and turns on request logging.
func (b *builder) poolBackendPolicy() *gkenetworkingv1.GCPBackendPolicy {
	name := managedPoolName(b.svc.Name)
	return &gkenetworkingv1.GCPBackendPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: gkenetworkingv1.SchemeGroupVersion.String(), Kind: "GCPBackendPolicy"},
		ObjectMeta: b.objectMeta(name, componentScheduler),
		Spec: gkenetworkingv1.GCPBackendPolicySpec{
			TargetRef: b.poolTargetRef(),
			Default: &gkenetworkingv1.GCPBackendPolicyConfig{
				TimeoutSec: ptr.To[int64](gkeBackendTimeoutSec),
				Logging:    &gkenetworkingv1.LoggingConfig{Enabled: ptr.To(true)},
			},
		},
	}
}
