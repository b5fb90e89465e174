package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

func TestGateway(t *testing.T) {
	labels := func(extra ...string) map[string]string {
		l := map[string]string{
			labelName:      "llm",
			labelPartOf:    partOf,
			labelManagedBy: managedBy,
			labelComponent: componentRouter,
		}
		for i := 0; i+1 < len(extra); i += 2 {
			l[extra[i]] = extra[i+1]
		}
		return l
	}
	gateway := func(class string, labels map[string]string) *gatewayv1.Gateway {
		return &gatewayv1.Gateway{
			TypeMeta:   metav1.TypeMeta{APIVersion: "gateway.networking.k8s.io/v1", Kind: "Gateway"},
			ObjectMeta: metav1.ObjectMeta{Name: "llm-gateway", Namespace: "ns", Labels: labels},
			Spec: gatewayv1.GatewaySpec{
				GatewayClassName: gatewayv1.ObjectName(class),
				Listeners: []gatewayv1.Listener{{
					Name:          "http",
					Port:          80,
					Protocol:      gatewayv1.HTTPProtocolType,
					AllowedRoutes: &gatewayv1.AllowedRoutes{Namespaces: &gatewayv1.RouteNamespaces{From: ptr.To(gatewayv1.NamespacesFromSame)}},
				}},
			},
		}
	}
	cases := map[string]struct {
		reason string
		cfg    func(*config.Config)
		want   *gatewayv1.Gateway
	}{
		"Default": {
			reason: "The managed Gateway has the configured class and one HTTP listener for routes of its own namespace.",
			want:   gateway(config.DefaultGatewayClassName, labels()),
		},
		"Istio": {
			reason: "Istio Gateways turn on the inference extension with a label.",
			cfg:    func(c *config.Config) { c.Provider = v1beta1.ProviderIstio },
			want:   gateway(config.DefaultGatewayClassName, labels(labelIstioInferenceExtProc, "true")),
		},
		"GKE": {
			reason: "Other providers get no Istio label; the class comes from the input.",
			cfg: func(c *config.Config) {
				c.Provider = v1beta1.ProviderGKE
				c.GatewayClassName = "gke-l7-regional-external-managed"
			},
			want: gateway("gke-l7-regional-external-managed", labels()),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			b := &builder{svc: routeService(&spec.RouterSpec{Gateway: &spec.GatewaySpec{}}), cfg: cfg}
			objs := b.gateway()
			if len(objs) != 1 || objs[0].Name != ResourceGateway {
				t.Fatalf("%s\ngateway(): want one object %q, got %v", tc.reason, ResourceGateway, objs)
			}
			if diff := cmp.Diff(tc.want, objs[0].Object); diff != "" {
				t.Errorf("%s\ngateway(): -want, +got:\n%s", tc.reason, diff)
			}
			if _, err := ToComposed(objs[0].Object); err != nil {
				t.Errorf("ToComposed(gateway): %v", err)
			}
		})
	}
}

// TestRouterComposesGateway checks when the router composes a Gateway: for
// spec.router.gateway: {} only, unless the input says {} means the
// platform's Gateway.
func TestRouterComposesGateway(t *testing.T) {
	cases := map[string]struct {
		reason    string
		gateway   *spec.GatewaySpec
		whenEmpty v1beta1.EmptyGateway
		want      bool
	}{
		"Empty": {
			reason:  "gateway: {} composes a Gateway for the service by default.",
			gateway: &spec.GatewaySpec{},
			want:    true,
		},
		"EmptyIsPlatform": {
			reason:    "With whenEmpty: Platform, gateway: {} is the platform's Gateway, which the function does not compose.",
			gateway:   &spec.GatewaySpec{},
			whenEmpty: v1beta1.EmptyGatewayPlatform,
		},
		"None": {
			reason: "A route with no gateway attaches to the platform's Gateway.",
		},
		"Refs": {
			reason:  "Referenced Gateways are not composed.",
			gateway: &spec.GatewaySpec{Refs: []spec.UntypedObjectReference{{Name: "g"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.whenEmpty != "" {
				cfg.EmptyGateway = tc.whenEmpty
			}
			svc := routeService(&spec.RouterSpec{Gateway: tc.gateway, Route: &spec.GatewayRoutesSpec{}})
			svc.Platform = cfg.Platform()
			objs, errs := (&builder{svc: svc, cfg: cfg}).router()
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := false
			for _, o := range objs {
				got = got || o.Name == ResourceGateway
			}
			if got != tc.want {
				t.Errorf("%s\nrouter() composes a Gateway: want %t, got %t (%v)", tc.reason, tc.want, got, keysOf(objs))
			}
		})
	}
}
