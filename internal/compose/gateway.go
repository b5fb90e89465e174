package compose

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// labelIstioInferenceExtProc turns on Istio's inference extension (ext-proc
// to the endpoint picker) for one Gateway; llm-d's Istio Gateways carry it.
const labelIstioInferenceExtProc = "istio.io/enable-inference-extproc"

// gatewayListener is the name of the managed Gateway's only listener.
const gatewayListener = "http"

// gateway composes the managed Gateway, one per service: `router.gateway: {}`
// asks for it. Its single plain-HTTP listener only admits routes from the
// service's namespace: nothing else should be able to publish itself on a
// Gateway that exists for one model.
func (b *builder) gateway() []Object {
	meta := b.objectMeta(gatewayName(b.svc.Name), componentRouter)
	if b.cfg.Provider == v1beta1.ProviderIstio {
		meta.Labels[labelIstioInferenceExtProc] = "true"
	}
	gw := &gatewayv1.Gateway{
		TypeMeta:   metav1.TypeMeta{APIVersion: gatewayv1.GroupVersion.String(), Kind: wiring.GatewayKind},
		ObjectMeta: meta,
		Spec: gatewayv1.GatewaySpec{
			GatewayClassName: gatewayv1.ObjectName(b.cfg.GatewayClassName),
			Listeners: []gatewayv1.Listener{{
				Name:     gatewayListener,
				Port:     wiring.GatewayPort,
				Protocol: gatewayv1.HTTPProtocolType,
				AllowedRoutes: &gatewayv1.AllowedRoutes{
					Namespaces: &gatewayv1.RouteNamespaces{From: ptr.To(gatewayv1.NamespacesFromSame)},
				},
			}},
		},
	}
	return []Object{{Name: ResourceGateway, Object: gw}}
}
