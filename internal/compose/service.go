package compose

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// workloadService is the ClusterIP Service in front of the main workload's
// serving pods: the route's backend when there is no scheduler, and the
// in-cluster address otherwise. Prefill pods are left out (only the picker
// sends them work), and so are pipeline stages that serve no HTTP. It
// selects the pods by the identity they carry, so when spec.labels gives
// them another service's, it reaches them still, and that service's pods
// with them, as that service's own Service does.
func (b *builder) workloadService() *corev1.Service {
	name, p := b.identity(b.roles()[0])
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: b.objectMeta(workloadServiceName(b.svc.Name), componentWorkload),
		Spec: corev1.ServiceSpec{
			Type: corev1.ServiceTypeClusterIP,
			Selector: map[string]string{
				labelName:      name,
				labelPartOf:    p,
				labelComponent: componentWorkload,
				labelKServe:    "workload",
			},
			Ports: []corev1.ServicePort{{
				Name:        "http",
				Port:        wiring.ModelServerPort,
				TargetPort:  intstr.FromInt32(wiring.ModelServerPort),
				Protocol:    corev1.ProtocolTCP,
				AppProtocol: ptr.To("http"),
			}},
		},
	}
}

func serviceURL(name, namespace string, port int) string {
	return fmt.Sprintf("http://%s.%s.svc.cluster.local:%d", name, namespace, port)
}
