package compose

import (
	"cmp"
	"maps"
	"slices"

	"github.com/crossplane/function-sdk-go/resource"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// NetworkPolicies: one per model-server workload and one for the endpoint
// picker, when the Function input's networkPolicy is on (the default).
// Each selects its pods and admits, on the ingress side only, the flows a
// served model needs; a selected pod refuses everything else (a
// NetworkPolicy isolates the pods it selects). Egress is left open: the
// pods fetch models, images and tokens from wherever the platform keeps
// them, which the function does not know.
//
// The model-server pods admit:
//   - the gateway's pods (gatewayPeers) on the serving port, where vLLM or
//     on decode pods the routing sidecar listens; without spec.router the
//     service is reached at its workload Service, so every pod of its
//     namespace;
//   - the endpoint picker on the serving port, which it scrapes /metrics
//     on (the routing sidecar forwards it to vLLM);
//   - with prefill/decode, the pods of the other role on every port: the
//     routing sidecar on decode pods sends the prefill request to the
//     prefill pods' serving port, NIXL listens on a side channel per data
//     parallel rank, and its transfers over UCX's TCP transport (no RDMA)
//     on ephemeral ports;
//   - in a LeaderWorkerSet, the pods of the same workload on every port:
//     Ray's head (6379) and its workers, and NCCL's bootstrap and socket
//     transport, pick ports at run time, and the data parallel RPC port
//     is one of them. A policy cannot say "my own group", so the pods of
//     every group of the workload admit each other;
//   - the input's monitoring namespaces on vLLM's port, which the
//     PodMonitors scrape.
//
// The picker's pods admit the gateway's pods on the ext-proc port and the
// monitoring namespaces on the metrics port; with KV events, the model
// servers on the ZMQ port they publish to. The tokenizer's pods admit the
// picker on the tokenizer's port. Kubelet probes come from the
// node, which a NetworkPolicy always admits.
const (
	resourceTokenizerNetworkPolicy = "tokenizer-networkpolicy"

	// networkPolicySuffix ends a role's NetworkPolicy's composition
	// resource name: workload-networkpolicy, prefill-networkpolicy.
	networkPolicySuffix         = "-networkpolicy"
	resourcePickerNetworkPolicy = "scheduler-networkpolicy"
)

// networkPolicies composes the NetworkPolicies of res's workloads and
// picker. It reads the built objects for the route's Gateways.
func (b *builder) networkPolicies(res *Result) []Object {
	if !b.cfg.NetworkPolicies {
		return nil
	}
	clients := b.gatewayPeers(res.Objects)
	if b.svc.Spec.Router == nil {
		// Every pod of the namespace, said by the namespace's name label
		// rather than an empty podSelector: an empty selector is lost on
		// the way to the API server (the peer arrives as {}, which it
		// refuses: "must specify a peer").
		clients = []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{corev1.LabelMetadataName: b.svc.Namespace},
		}}}
	}
	roles := b.roles()
	var objs []Object
	for i, r := range roles {
		np := b.networkPolicy(names.Child(b.svc.Name, r.name+"-netpol"), r.component, b.workloadSelector(r), b.roleIngress(i, roles, clients))
		objs = append(objs, Object{Name: resource.Name(r.name + networkPolicySuffix), Object: np})
	}
	if b.managedScheduler() {
		rules := []networkingv1.NetworkPolicyIngressRule{ingress(clients, tcpPort(wiring.PickerGRPCPort))}
		if m := b.monitoringPeer(); m != nil {
			rules = append(rules, ingress([]networkingv1.NetworkPolicyPeer{*m}, tcpPort(wiring.PickerMetricsPort)))
		}
		rules = append(rules, b.kvEventsIngress(roles)...)
		np := b.networkPolicy(names.Child(b.svc.Name, "epp-netpol"), componentScheduler, b.selectorLabels(componentScheduler), rules)
		objs = append(objs, Object{Name: resourcePickerNetworkPolicy, Object: np})
	}
	return append(objs, b.tokenizerNetworkPolicy()...)
}

// roleIngress are the rules of role i's pods: clients and the picker on the
// serving port, the other role's pods (prefill/decode), the role's own pods
// in a group, and monitoring.
func (b *builder) roleIngress(i int, roles []role, clients []networkingv1.NetworkPolicyPeer) []networkingv1.NetworkPolicyIngressRule {
	r := roles[i]
	rules := []networkingv1.NetworkPolicyIngressRule{ingress(clients, tcpPort(wiring.ModelServerPort))}
	if p := b.pickerPeer(); p != nil {
		rules = append(rules, ingress([]networkingv1.NetworkPolicyPeer{*p}, tcpPort(wiring.ModelServerPort)))
	}
	for j, other := range roles {
		if j == i {
			continue
		}
		// Every port: NIXL's side channels are fixed (a port per rank), but its
		// data path over UCX's TCP transport, where there is no RDMA,
		// listens on ephemeral ports, and a policy cannot admit those
		// alone.
		rules = append(rules, ingress([]networkingv1.NetworkPolicyPeer{b.rolePeer(other)}))
	}
	if r.topology() != singleNode {
		rules = append(rules, ingress([]networkingv1.NetworkPolicyPeer{b.rolePeer(r)}))
	}
	if m := b.monitoringPeer(); m != nil {
		port := int32(wiring.ModelServerPort)
		if r.sidecar {
			port = wiring.VLLMPortBehindSidecar
		}
		rules = append(rules, ingress([]networkingv1.NetworkPolicyPeer{*m}, tcpPort(port)))
	}
	return rules
}

// networkPolicy is an ingress policy of the pods sel selects.
func (b *builder) networkPolicy(name, component string, sel map[string]string, rules []networkingv1.NetworkPolicyIngressRule) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: networkingv1.SchemeGroupVersion.String(), Kind: "NetworkPolicy"},
		ObjectMeta: b.objectMeta(name, component),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: maps.Clone(sel)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     rules,
		},
	}
}

// ingress admits peers on ports (every port when none).
func ingress(peers []networkingv1.NetworkPolicyPeer, ports ...networkingv1.NetworkPolicyPort) networkingv1.NetworkPolicyIngressRule {
	return networkingv1.NetworkPolicyIngressRule{From: peers, Ports: ports}
}

// tcpPort is one TCP port by number: the pods name their ports
// differently (vLLM's http, the sidecar's sidecar), their numbers are the
// wiring's.
func tcpPort(n int32) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(n))}
}

// rolePeer is the pods of role r, in the service's namespace.
func (b *builder) rolePeer(r role) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: b.workloadSelector(r)}}
}

// pickerPeer is the endpoint picker that scrapes the model servers: the
// service's own, or with a referenced pool any picker the function
// composed in the namespace, since the pool's picker is another service's.
// Nil without a scheduler.
func (b *builder) pickerPeer() *networkingv1.NetworkPolicyPeer {
	switch {
	case b.managedScheduler():
		return &networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: b.selectorLabels(componentScheduler)}}
	case b.svc.Spec.Router.HasScheduler():
		return &networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
			labelPartOf: partOf, labelComponent: componentScheduler,
		}}}
	default:
		return nil
	}
}

// monitoringPeer is every pod of the input's monitoring namespaces; nil
// when it names none.
func (b *builder) monitoringPeer() *networkingv1.NetworkPolicyPeer {
	if len(b.cfg.MonitoringNamespaces) == 0 {
		return nil
	}
	return &networkingv1.NetworkPolicyPeer{NamespaceSelector: namespacesNamed(b.cfg.MonitoringNamespaces...)}
}

// namespacesNamed selects namespaces by name: the API server labels every
// namespace with its name (kubernetes.io/metadata.name).
func namespacesNamed(ns ...string) *metav1.LabelSelector {
	ns = slices.Compact(slices.Sorted(slices.Values(ns)))
	if len(ns) == 1 {
		return &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: ns[0]}}
	}
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
		Key: corev1.LabelMetadataName, Operator: metav1.LabelSelectorOpIn, Values: ns,
	}}}
}

// gatewayPeers are the gateway's pods: as the input names them, else for
// each Gateway the route attaches to the pods Istio deploys for it and the
// proxies Envoy Gateway deploys for it. Of a Gateway the function did not
// compose it knows only the name and namespace, and these labels are what
// Istio and Envoy Gateway put on the pods of any Gateway they deploy; a
// Gateway whose pods were deployed otherwise (Istio's manual deployment,
// a cloud load balancer) needs the input's gateway block.
func (b *builder) gatewayPeers(objs []Object) []networkingv1.NetworkPolicyPeer {
	gws := b.routeGateways(objs)
	if g := b.cfg.NetworkPolicyGateway; g != nil {
		peer := networkingv1.NetworkPolicyPeer{PodSelector: g.PodSelector, NamespaceSelector: g.NamespaceSelector}
		if peer.PodSelector == nil {
			peer.PodSelector = &metav1.LabelSelector{}
		}
		switch {
		case len(g.Namespaces) > 0:
			peer.NamespaceSelector = namespacesNamed(g.Namespaces...)
		case g.NamespaceSelector == nil:
			var ns []string
			for _, gw := range gws {
				ns = append(ns, gw.Namespace)
			}
			peer.NamespaceSelector = namespacesNamed(ns...)
		}
		return []networkingv1.NetworkPolicyPeer{peer}
	}
	var peers []networkingv1.NetworkPolicyPeer
	for _, gw := range gws {
		peers = append(peers,
			networkingv1.NetworkPolicyPeer{
				NamespaceSelector: namespacesNamed(gw.Namespace),
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{wiring.GatewayNameLabel: gw.Name}},
			},
			networkingv1.NetworkPolicyPeer{
				NamespaceSelector: namespacesNamed(wiring.EnvoyGatewayNamespace, gw.Namespace),
				PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
					wiring.EnvoyOwningGatewayNameLabel: gw.Name, wiring.EnvoyOwningGatewayNamespaceLabel: gw.Namespace,
				}},
			})
	}
	return peers
}

// routeGateways are the Gateways traffic reaches the service through,
// sorted: the composed route's parents, else (a referenced route, or no
// route) the Gateways the spec names, else the platform's Gateway, which
// is also where a route that only says useDefaultGateways is assumed to
// attach.
func (b *builder) routeGateways(objs []Object) []types.NamespacedName {
	ns := b.svc.Namespace
	var parents []gatewayv1.ParentReference
	if rt, ok := objectNamed(objs, ResourceRoute).(*gatewayv1.HTTPRoute); ok {
		parents, ns = rt.Spec.ParentRefs, rt.Namespace
	} else if b.svc.Spec.Router != nil {
		parents = b.routeDefaultParentRefs()
	}
	seen := map[types.NamespacedName]bool{}
	for _, p := range parents {
		if k := wiring.KeyOf(p, ns); k.IsGateway() {
			seen[types.NamespacedName{Namespace: k.Namespace, Name: k.Name}] = true
		}
	}
	if len(seen) == 0 {
		seen[b.svc.Platform.Gateway] = true
	}
	return slices.SortedFunc(maps.Keys(seen), func(a, c types.NamespacedName) int {
		return cmp.Or(cmp.Compare(a.Namespace, c.Namespace), cmp.Compare(a.Name, c.Name))
	})
}

// objectNamed is the object composed under key, or nil.
func objectNamed(objs []Object, key string) any {
	for _, o := range objs {
		if string(o.Name) == key {
			return o.Object
		}
	}
	return nil
}

// podTemplates are the pod templates of a built workload.
func podTemplates(o any) []corev1.PodTemplateSpec {
	switch w := o.(type) {
	case *appsv1.Deployment:
		return []corev1.PodTemplateSpec{w.Spec.Template}
	case *lwsv1.LeaderWorkerSet:
		t := w.Spec.LeaderWorkerTemplate
		if t.LeaderTemplate == nil {
			return []corev1.PodTemplateSpec{t.WorkerTemplate}
		}
		return []corev1.PodTemplateSpec{*t.LeaderTemplate, t.WorkerTemplate}
	default:
		return nil
	}
}

// kvEventsIngress admits every model-server pod to the picker's ZMQ port
// when the picker routes on their KV events: both roles publish.
func (b *builder) kvEventsIngress(roles []role) []networkingv1.NetworkPolicyIngressRule {
	if b.svc.KVEvents() == nil {
		return nil
	}
	peers := make([]networkingv1.NetworkPolicyPeer, 0, len(roles))
	for _, r := range roles {
		peers = append(peers, b.rolePeer(r))
	}
	return []networkingv1.NetworkPolicyIngressRule{ingress(peers, tcpPort(wiring.PickerKVEventsPort))}
}

// tokenizerNetworkPolicy admits the picker to the tokenizer; nothing else
// calls it.
func (b *builder) tokenizerNetworkPolicy() []Object {
	if !b.svc.TokenizerEnabled() {
		return nil
	}
	rules := []networkingv1.NetworkPolicyIngressRule{ingress(
		[]networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: b.selectorLabels(componentScheduler)}}},
		tcpPort(wiring.TokenizerPort))}
	np := b.networkPolicy(names.Child(b.svc.Name, "tokenizer-netpol"), componentTokenizer, b.selectorLabels(componentTokenizer), rules)
	return []Object{{Name: resourceTokenizerNetworkPolicy, Object: np}}
}
