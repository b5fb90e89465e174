package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// TestNetworkPolicyPeers checks who the composed policies admit where the
// examples do not say: the input turning them off, the gateway's pods as
// the input names them, a service without spec.router, and the picker of
// a referenced pool. TestNetworkPoliciesAdmitExactlyTheFlows (root)
// evaluates every example's policies.
func TestNetworkPolicyPeers(t *testing.T) {
	model := map[string]any{"uri": "hf://meta-llama/Llama-3.1-8B-Instruct"}
	routed := map[string]any{"model": model, "template": gpus("1"), "router": map[string]any{"gateway": map[string]any{}, "route": map[string]any{}, "scheduler": map[string]any{}}}
	ns := func(names ...string) *metav1.LabelSelector {
		if len(names) == 1 {
			return &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": names[0]}}
		}
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: names}}}
	}
	pods := func(l map[string]string) *metav1.LabelSelector { return &metav1.LabelSelector{MatchLabels: l} }
	cases := map[string]struct {
		reason string
		gw     *config.NetworkPolicyGateway
		off    bool
		spec   map[string]any
		// key is the composition resource name of the policy; rule the
		// index of the ingress rule whose peers are compared.
		key  string
		rule int
		want []networkingv1.NetworkPolicyPeer
	}{
		"Disabled": {
			reason: "networkPolicy.mode Disabled composes no policy",
			off:    true, spec: routed, key: "",
		},
		"GatewayNamespacesAndPods": {
			reason: "the input's namespaces and pod selector replace the built-in peers",
			gw:     &config.NetworkPolicyGateway{Namespaces: []string{"ingress"}, PodSelector: pods(map[string]string{"istio": "ingressgateway"})},
			spec:   routed, key: "workload-networkpolicy", rule: 0,
			want: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: ns("ingress"), PodSelector: pods(map[string]string{"istio": "ingressgateway"})}},
		},
		"GatewayEmpty": {
			reason: "gateway: {} admits every pod of each Gateway's namespace",
			gw:     &config.NetworkPolicyGateway{},
			spec:   routed, key: "scheduler-networkpolicy", rule: 0,
			want: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: ns("team-a"), PodSelector: &metav1.LabelSelector{}}},
		},
		"GatewayNamespaceSelector": {
			reason: "a namespace selector is used as written",
			gw:     &config.NetworkPolicyGateway{NamespaceSelector: pods(map[string]string{"role": "gateway"})},
			spec:   routed, key: "workload-networkpolicy", rule: 0,
			want: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: pods(map[string]string{"role": "gateway"}), PodSelector: &metav1.LabelSelector{}}},
		},
		"GatewayRefs": {
			reason: "each Gateway the route attaches to, Istio's pods and Envoy Gateway's proxies",
			spec: map[string]any{"model": model, "template": gpus("1"), "router": map[string]any{
				"gateway": map[string]any{"refs": []any{map[string]any{"name": "gw", "namespace": "envoy-gateway-system"}}}, "route": map[string]any{},
			}},
			key: "workload-networkpolicy", rule: 0,
			want: []networkingv1.NetworkPolicyPeer{
				{NamespaceSelector: ns("envoy-gateway-system"), PodSelector: pods(map[string]string{"gateway.networking.k8s.io/gateway-name": "gw"})},
				{NamespaceSelector: ns("envoy-gateway-system"), PodSelector: pods(map[string]string{
					"gateway.envoyproxy.io/owning-gateway-name": "gw", "gateway.envoyproxy.io/owning-gateway-namespace": "envoy-gateway-system",
				})},
			},
		},
		"NoRouter": {
			reason: "without spec.router the workload Service is the address: every pod of the namespace, by its name label (an empty podSelector reaches the API server as an empty peer, which it refuses)",
			spec:   map[string]any{"model": model, "template": gpus("1")},
			key:    "workload-networkpolicy", rule: 0,
			want: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "team-a"}}}},
		},
		"ReferencedPool": {
			reason: "a referenced pool's picker is another service's: any picker the function composed in the namespace",
			spec: map[string]any{"model": model, "template": gpus("1"), "router": map[string]any{
				"route": map[string]any{}, "scheduler": map[string]any{"pool": map[string]any{"ref": map[string]any{"name": "shared"}}},
			}},
			key: "workload-networkpolicy", rule: 1,
			want: []networkingv1.NetworkPolicyPeer{{PodSelector: pods(map[string]string{
				"app.kubernetes.io/component": "llminferenceservice-router-scheduler", "app.kubernetes.io/part-of": "llminferenceservice",
			})}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			cfg.NetworkPolicies = !tc.off
			cfg.NetworkPolicyGateway = tc.gw
			res := buildWith(t, cfg, tc.spec)
			var got []string
			for _, o := range res.Objects {
				if _, ok := o.Object.(*networkingv1.NetworkPolicy); ok {
					got = append(got, string(o.Name))
				}
			}
			if tc.key == "" {
				if len(got) > 0 {
					t.Fatalf("%s: composed %v", tc.reason, got)
				}
				return
			}
			np := find[*networkingv1.NetworkPolicy](t, res.Objects, tc.key)
			if diff := cmp.Diff(tc.want, np.Spec.Ingress[tc.rule].From); diff != "" {
				t.Errorf("%s\n%s rule %d: -want, +got:\n%s", tc.reason, tc.key, tc.rule, diff)
			}
		})
	}
}
