package compose

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Ports of the picker Service.
const (
	// PickerServicePortName is the ext-proc port. Istio picks the protocol
	// from the "grpc-" prefix of the name; other gateways read appProtocol.
	pickerServicePortName = "grpc-ext-proc"
	// PickerMetricsPortName is the Prometheus port, as the upstream charts
	// name it so their ServiceMonitors match.
	pickerMetricsPortName = "http-metrics"
	// appProtocolH2C tells gateways to speak HTTP/2 to ext-proc: gRPC does
	// not work over HTTP/1.1.
	appProtocolH2C = "kubernetes.io/h2c"
)

// pickerService is the address the pool's endpointPickerRef names.
func (b *builder) pickerService() *corev1.Service {
	s := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: b.objectMeta(pickerName(b.svc.Name), componentScheduler),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: b.selectorLabels(componentScheduler),
			Ports: []corev1.ServicePort{
				{
					Name:        pickerServicePortName,
					Port:        wiring.PickerGRPCPort,
					TargetPort:  intstr.FromInt32(wiring.PickerGRPCPort),
					Protocol:    corev1.ProtocolTCP,
					AppProtocol: ptr.To(appProtocolH2C),
				},
				{
					Name:       pickerMetricsPortName,
					Port:       wiring.PickerMetricsPort,
					TargetPort: intstr.FromInt32(wiring.PickerMetricsPort),
					Protocol:   corev1.ProtocolTCP,
				},
			},
		},
	}
	if b.svc.KVEvents() != nil {
		// vLLM publishes its KV-cache events here.
		s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{
			Name:       wiring.PickerKVEventsPortName,
			Port:       wiring.PickerKVEventsPort,
			TargetPort: intstr.FromInt32(wiring.PickerKVEventsPort),
			Protocol:   corev1.ProtocolTCP,
		})
	}
	return s
}
