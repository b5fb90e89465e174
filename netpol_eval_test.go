package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// The NetworkPolicies are proven by evaluation: for every example, the
// composed policies are evaluated, with the semantics of the Kubernetes
// NetworkPolicy API, against pods that carry the labels and ports of the
// composed pod templates. Each flow the service needs must be admitted, and
// a pod of another service, a gateway in a namespace nobody named, and the
// gateway on any port but its own must be refused. The evaluator below is
// written from the API's documentation, not from the builder, so that the
// test checks the policy meant, not the policy built.

// evalPod is a pod as a NetworkPolicy sees it: where it runs, its labels
// and, for named ports, the ports its containers declare.
type evalPod struct {
	name      string
	namespace string
	labels    map[string]string
	ports     []corev1.ContainerPort
}

// namespaceLabels are the labels the API server puts on every namespace:
// its name, under kubernetes.io/metadata.name. The test's namespaces carry
// nothing else.
func namespaceLabels(ns string) map[string]string {
	return map[string]string{corev1.LabelMetadataName: ns}
}

// matches evaluates a label selector: an empty selector matches
// everything, as the API says.
func matches(t *testing.T, sel *metav1.LabelSelector, podLabels map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Fatalf("a composed selector the API server would refuse: %v", err)
	}
	return s.Matches(labels.Set(podLabels))
}

// ingressTypes is true when the policy isolates its pods for ingress:
// policyTypes lists Ingress, or is empty (then Ingress is implied).
func ingressTypes(p *networkingv1.NetworkPolicy) bool {
	return len(p.Spec.PolicyTypes) == 0 || slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress)
}

// peerAdmits is whether one peer of a rule of a policy in namespace ns
// names the pod from. A peer with only a podSelector names pods of the
// policy's own namespace; with only a namespaceSelector every pod of the
// namespaces it selects; with both the pods it selects in those
// namespaces. An ipBlock names addresses, and the test's pods have none a
// block could be written for: the policies must not rely on them.
func peerAdmits(t *testing.T, peer networkingv1.NetworkPolicyPeer, ns string, from evalPod) bool {
	if peer.IPBlock != nil {
		return false
	}
	if peer.NamespaceSelector == nil {
		if from.namespace != ns {
			return false
		}
	} else if !matches(t, peer.NamespaceSelector, namespaceLabels(from.namespace)) {
		return false
	}
	return peer.PodSelector == nil || matches(t, peer.PodSelector, from.labels)
}

// portAdmits is whether a rule's ports admit TCP port on pod to: no ports
// admit every port; a numbered port admits it, or with endPort the range
// up to it; a named port admits the port to declares under that name.
func portAdmits(ports []networkingv1.NetworkPolicyPort, to evalPod, port int32) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Protocol != nil && *p.Protocol != corev1.ProtocolTCP {
			continue
		}
		switch {
		case p.Port == nil:
			return true
		case p.Port.StrVal != "":
			for _, cp := range to.ports {
				if cp.Name == p.Port.StrVal && cp.ContainerPort == port && (cp.Protocol == "" || cp.Protocol == corev1.ProtocolTCP) {
					return true
				}
			}
		case p.EndPort != nil:
			if port >= p.Port.IntVal && port <= *p.EndPort {
				return true
			}
		case p.Port.IntVal == port:
			return true
		}
	}
	return false
}

// admitted is whether a TCP connection from one pod to port on another is
// admitted at the destination: a pod no ingress policy of its namespace
// selects admits everything; a selected pod admits only what a rule of
// one of the policies selecting it admits, policies adding up. The
// composed policies never isolate egress (checked by checkPolicyTypes),
// so the source's side admits everything.
func admitted(t *testing.T, policies []networkingv1.NetworkPolicy, from, to evalPod, port int32) bool {
	t.Helper()
	isolated := false
	for i := range policies {
		p := &policies[i]
		if p.Namespace != to.namespace || !ingressTypes(p) || !matches(t, &p.Spec.PodSelector, to.labels) {
			continue
		}
		isolated = true
		for _, rule := range p.Spec.Ingress {
			from0 := len(rule.From) == 0
			for _, peer := range rule.From {
				if peerAdmits(t, peer, p.Namespace, from) {
					from0 = true
				}
			}
			if from0 && portAdmits(rule.Ports, to, port) {
				return true
			}
		}
	}
	return !isolated
}

// isolated is whether an ingress policy selects the pod.
func isolated(t *testing.T, policies []networkingv1.NetworkPolicy, pod evalPod) bool {
	for i := range policies {
		if policies[i].Namespace == pod.namespace && ingressTypes(&policies[i]) && matches(t, &policies[i].Spec.PodSelector, pod.labels) {
			return true
		}
	}
	return false
}

// composed is what one example composes, as the evaluation needs it.
type composed struct {
	policies []networkingv1.NetworkPolicy
	// decode (or the only role), prefill and picker pods, one per pod
	// template; workers of a LeaderWorkerSet are marked in their names.
	main, prefill, picker []evalPod
	// tokenizer pods of precise prefix-cache routing.
	tokenizer []evalPod
	// gateways the route attaches to.
	gateways []gatewayv1.ParentReference
	routeNS  string
}

// Components of the composed pods, KServe's vocabulary.
const (
	evalComponentLabel   = "app.kubernetes.io/component"
	evalComponentMain    = "llminferenceservice-workload"
	evalComponentPrefill = "llminferenceservice-workload-prefill"
	evalComponentPicker  = "llminferenceservice-router-scheduler"
	evalComponentTokens  = "tokenizer"
	evalNameLabel        = "app.kubernetes.io/name"
	evalEphemeralPort    = 41234 // a port NCCL or Ray might pick at run time
	evalOtherServiceName = "another-service"
	evalElsewhereNS      = "elsewhere"
)

// composeExample runs the function on ex and decodes what it composed.
func composeExample(t *testing.T, ex example) composed {
	t.Helper()
	f := &Function{log: logging.NewNopLogger()}
	rsp, err := f.RunFunction(context.Background(), ex.request(t, true))
	if err != nil {
		t.Fatal(err)
	}
	var c composed
	for name, r := range rsp.GetDesired().GetResources() {
		m := r.GetResource().AsMap()
		kind, _ := m["kind"].(string)
		md, _ := m["metadata"].(map[string]any)
		ns, _ := md["namespace"].(string)
		switch kind {
		case "NetworkPolicy":
			var np networkingv1.NetworkPolicy
			decode(t, m, &np)
			c.policies = append(c.policies, np)
		case "Deployment":
			var d appsv1.Deployment
			decode(t, m, &d)
			c.add(t, name, ns, d.Spec.Template)
		case "LeaderWorkerSet":
			var l lwsv1.LeaderWorkerSet
			decode(t, m, &l)
			if lt := l.Spec.LeaderWorkerTemplate.LeaderTemplate; lt != nil {
				c.add(t, name+"/leader", ns, *lt)
			}
			c.add(t, name+"/worker", ns, l.Spec.LeaderWorkerTemplate.WorkerTemplate)
		case "HTTPRoute":
			var rt gatewayv1.HTTPRoute
			decode(t, m, &rt)
			c.gateways, c.routeNS = rt.Spec.ParentRefs, rt.Namespace
		}
	}
	// Deterministic order for the messages.
	for _, l := range []*[]evalPod{&c.main, &c.prefill, &c.picker, &c.tokenizer} {
		slices.SortFunc(*l, func(a, b evalPod) int { return strings.Compare(a.name, b.name) })
	}
	return c
}

func decode(t *testing.T, m map[string]any, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, into); err != nil {
		t.Fatalf("cannot decode a composed %v: %v", m["kind"], err)
	}
}

// add records a pod template by its component.
func (c *composed) add(t *testing.T, name, ns string, tmpl corev1.PodTemplateSpec) {
	t.Helper()
	p := evalPod{name: name, namespace: ns, labels: tmpl.Labels}
	for _, ct := range append(slices.Clone(tmpl.Spec.InitContainers), tmpl.Spec.Containers...) {
		p.ports = append(p.ports, ct.Ports...)
	}
	switch tmpl.Labels[evalComponentLabel] {
	case evalComponentMain:
		c.main = append(c.main, p)
	case evalComponentPrefill:
		c.prefill = append(c.prefill, p)
	case evalComponentPicker:
		c.picker = append(c.picker, p)
	case evalComponentTokens:
		c.tokenizer = append(c.tokenizer, p)
	default:
		t.Fatalf("%s: a pod template of an unknown component %q", name, tmpl.Labels[evalComponentLabel])
	}
}

// declares is whether the pod declares TCP port n.
func declares(p evalPod, n int32) bool {
	return slices.ContainsFunc(p.ports, func(cp corev1.ContainerPort) bool { return cp.ContainerPort == n })
}

// nixl are the NIXL side-channel ports the pod declares.
func nixl(p evalPod) []int32 {
	var out []int32
	for _, cp := range p.ports {
		if wiring.IsNIXLPortName(cp.Name) {
			out = append(out, cp.ContainerPort)
		}
	}
	return out
}

// gatewayPods are the pods that play each Gateway the route attaches to:
// the pod Istio deploys for it and the proxy Envoy Gateway deploys for it,
// or, when the example's input names the gateway's pods, a pod of that
// description.
func gatewayPods(t *testing.T, ex example, c composed) []evalPod {
	np, _ := ex.input["networkPolicy"].(map[string]any)
	var out []evalPod
	for _, ref := range c.gateways {
		k := wiring.KeyOf(ref, c.routeNS)
		if !k.IsGateway() {
			continue
		}
		if g, ok := np["gateway"].(map[string]any); ok {
			ns := k.Namespace
			if list, ok := g["namespaces"].([]any); ok && len(list) > 0 {
				ns, _ = list[0].(string)
			}
			labels := map[string]string{}
			if ps, ok := g["podSelector"].(map[string]any); ok {
				ml, _ := ps["matchLabels"].(map[string]any)
				for k, v := range ml {
					labels[k], _ = v.(string)
				}
			}
			out = append(out, evalPod{name: "gateway " + k.Name + " (input)", namespace: ns, labels: labels})
			continue
		}
		out = append(out,
			evalPod{name: "istio gateway " + k.Name, namespace: k.Namespace, labels: map[string]string{wiring.GatewayNameLabel: k.Name}},
			evalPod{name: "envoy gateway " + k.Name, namespace: wiring.EnvoyGatewayNamespace, labels: map[string]string{
				wiring.EnvoyOwningGatewayNameLabel: k.Name, wiring.EnvoyOwningGatewayNamespaceLabel: k.Namespace,
			}})
	}
	if len(out) == 0 {
		t.Fatalf("the route attaches to no Gateway")
	}
	return out
}

// clientPods are who sends the service its requests: the gateway's pods,
// or without spec.router any pod of the service's namespace, which reaches
// it at its workload Service. With a route the function does not compose
// (route.http.refs) the Gateways are spec.router.gateway.refs.
func clientPods(t *testing.T, ex example, c composed) []evalPod {
	if c.gateways != nil {
		return gatewayPods(t, ex, c)
	}
	spec, _ := ex.xr["spec"].(map[string]any)
	router, ok := spec["router"].(map[string]any)
	if !ok {
		ns := c.main[0].namespace
		return []evalPod{{name: "a client in " + ns, namespace: ns, labels: map[string]string{"app": "client"}}}
	}
	md, _ := ex.xr["metadata"].(map[string]any)
	c.routeNS, _ = md["namespace"].(string)
	gw, _ := router["gateway"].(map[string]any)
	refs, _ := gw["refs"].([]any)
	for _, r := range refs {
		m, _ := r.(map[string]any)
		name, _ := m["name"].(string)
		ns, _ := m["namespace"].(string)
		c.gateways = append(c.gateways, wiring.GatewayParent(name, ns, ""))
	}
	return gatewayPods(t, ex, c)
}

// otherService is a pod of another service in the same namespace, which
// carries the same labels but another app.kubernetes.io/name.
func otherService(p evalPod) evalPod {
	l := map[string]string{}
	for k, v := range p.labels {
		l[k] = v
	}
	l[evalNameLabel] = evalOtherServiceName
	return evalPod{name: "a pod of " + evalOtherServiceName + " like " + p.name, namespace: p.namespace, labels: l}
}

// elsewhere is the same pod in a namespace nobody named.
func elsewhere(p evalPod) evalPod {
	p.name += " in namespace " + evalElsewhereNS
	p.namespace = evalElsewhereNS
	return p
}

// flow is one connection the test asserts on.
type flow struct {
	from, to evalPod
	port     int32
	why      string
}

// TestNetworkPoliciesAdmitExactlyTheFlows evaluates every example's
// NetworkPolicies. Examples whose service composes no pods (stopped) are
// skipped.
func TestNetworkPoliciesAdmitExactlyTheFlows(t *testing.T) {
	evaluated := 0
	for _, ex := range loadExamples(t) {
		t.Run(ex.name, func(t *testing.T) {
			c := composeExample(t, ex)
			if len(c.main) == 0 {
				if len(c.policies) > 0 {
					t.Fatalf("policies for a service without pods")
				}
				t.Skip("composes no pods")
			}
			evaluated++
			checkPolicyTypes(t, c.policies)
			var admit, refuse []flow
			servers := append(slices.Clone(c.main), c.prefill...)
			for _, p := range append(append(slices.Clone(servers), c.picker...), c.tokenizer...) {
				if !isolated(t, c.policies, p) {
					t.Errorf("no NetworkPolicy selects %s: it admits everything", p.name)
				}
			}
			gws := clientPods(t, ex, c)
			openServing := len(gws) == 1 && gws[0].labels["app"] == "client"
			for _, to := range servers {
				serving := declares(to, wiring.ModelServerPort)
				for _, gw := range gws {
					if serving {
						admit = append(admit, flow{gw, to, wiring.ModelServerPort, "the gateway sends requests to the serving port"})
						refuse = append(refuse, flow{elsewhere(gw), to, wiring.ModelServerPort, "a gateway-like pod in a namespace nobody named"})
					}
					for _, n := range nixl(to) {
						refuse = append(refuse, flow{gw, to, n, "the gateway has no business on NIXL"})
					}
					refuse = append(refuse, flow{gw, to, evalEphemeralPort, "the gateway only reaches the serving port"})
				}
				for _, pk := range c.picker {
					if serving {
						admit = append(admit, flow{pk, to, wiring.ModelServerPort, "the picker scrapes /metrics on the serving port"})
					}
					refuse = append(refuse, flow{pk, to, evalEphemeralPort, "the picker only scrapes the serving port"})
				}
				for _, cp := range to.ports {
					if openServing && cp.ContainerPort == wiring.ModelServerPort {
						// Without spec.router every pod of the
						// namespace is a client (clientPods).
						continue
					}
					refuse = append(refuse, flow{otherService(to), to, cp.ContainerPort, "another service's pod, on a port the pod declares"})
				}
				refuse = append(refuse, flow{otherService(to), to, evalEphemeralPort, "another service's pod, on any other port"})
			}
			// Prefill/decode: the decode pods' routing sidecar sends the
			// prefill request to the prefill pods' serving port, and both
			// roles' vLLM exchange KV caches over every rank's NIXL side
			// channel.
			for _, d := range c.main {
				for _, p := range c.prefill {
					if declares(p, wiring.ModelServerPort) {
						admit = append(admit, flow{d, p, wiring.ModelServerPort, "the routing sidecar sends the prefill request"})
					}
					for _, n := range nixl(p) {
						admit = append(admit, flow{d, p, n, "decode reads KV caches over NIXL"})
					}
					for _, n := range nixl(d) {
						admit = append(admit, flow{p, d, n, "prefill hands KV caches over NIXL"})
					}
				}
			}
			// A LeaderWorkerSet's pods talk to each other on Ray's port,
			// the data parallel RPC port and ports NCCL picks.
			for _, role := range [][]evalPod{c.main, c.prefill} {
				for _, from := range role {
					for _, to := range role {
						if from.name == to.name || !sameWorkload(from, to) {
							continue
						}
						for _, n := range []int32{wiring.RayPort, wiring.DataParallelRPCPort, evalEphemeralPort} {
							admit = append(admit, flow{from, to, n, "members of a group reach each other on any port"})
						}
						refuse = append(refuse, flow{otherService(from), to, wiring.DataParallelRPCPort, "another service's group member"})
					}
				}
			}
			for _, pk := range c.picker {
				for _, gw := range gws {
					admit = append(admit, flow{gw, pk, wiring.PickerGRPCPort, "the gateway calls the picker over ext-proc"})
					refuse = append(refuse, flow{elsewhere(gw), pk, wiring.PickerGRPCPort, "ext-proc from a namespace nobody named"})
				}
				for _, s := range servers {
					refuse = append(refuse, flow{s, pk, wiring.PickerGRPCPort, "ext-proc only from the gateway"})
				}
				refuse = append(refuse, flow{otherService(pk), pk, wiring.PickerGRPCPort, "another service's picker"})
			}
			admit, refuse = kvEventsFlows(c, servers, gws, admit, refuse)
			admit, refuse = monitoringFlows(ex, c, servers, admit, refuse)
			for _, f := range admit {
				if !admitted(t, c.policies, f.from, f.to, f.port) {
					t.Errorf("refused: %s -> %s port %d (%s)", f.from.name, f.to.name, f.port, f.why)
				}
			}
			for _, f := range refuse {
				if admitted(t, c.policies, f.from, f.to, f.port) {
					t.Errorf("admitted: %s -> %s port %d (%s)", f.from.name, f.to.name, f.port, f.why)
				}
			}
		})
	}
	if evaluated == 0 {
		t.Fatal("no example was evaluated")
	}
}

// kvEventsFlows: with precise prefix-cache routing every model server
// publishes KV events to the picker's ZMQ port, which nobody else reaches,
// and only the picker calls the tokenizer.
func kvEventsFlows(c composed, servers, gws []evalPod, admit, refuse []flow) ([]flow, []flow) {
	for _, pk := range c.picker {
		if !declares(pk, wiring.PickerKVEventsPort) {
			continue
		}
		for _, s := range servers {
			admit = append(admit, flow{s, pk, wiring.PickerKVEventsPort, "vLLM publishes KV events to the picker"})
			refuse = append(refuse, flow{otherService(s), pk, wiring.PickerKVEventsPort, "another service's model server publishes to its own picker"})
		}
		for _, gw := range gws {
			refuse = append(refuse, flow{gw, pk, wiring.PickerKVEventsPort, "the gateway has no business on ZMQ"})
		}
	}
	for _, tk := range c.tokenizer {
		for _, pk := range c.picker {
			admit = append(admit, flow{pk, tk, wiring.TokenizerPort, "the picker's token-producer asks the tokenizer"})
			refuse = append(refuse, flow{otherService(pk), tk, wiring.TokenizerPort, "another service's picker"})
		}
		for _, s := range servers {
			refuse = append(refuse, flow{s, tk, wiring.TokenizerPort, "model servers do not call the tokenizer"})
		}
		for _, gw := range gws {
			refuse = append(refuse, flow{gw, tk, wiring.TokenizerPort, "the gateway does not call the tokenizer"})
		}
	}
	return admit, refuse
}

// sameWorkload is whether two pod templates are of one LeaderWorkerSet.
func sameWorkload(a, b evalPod) bool {
	an, _, okA := strings.Cut(a.name, "/")
	bn, _, okB := strings.Cut(b.name, "/")
	return okA && okB && an == bn
}

// monitoringFlows: the namespaces the input names for monitoring reach
// vLLM's own port (the PodMonitors scrape "http") and the picker's metrics
// port; a namespace nobody named does not, and without monitoring
// namespaces nothing does.
func monitoringFlows(ex example, c composed, servers []evalPod, admit, refuse []flow) ([]flow, []flow) {
	np, _ := ex.input["networkPolicy"].(map[string]any)
	mon, _ := np["monitoring"].(map[string]any)
	names, _ := mon["namespaces"].([]any)
	var prom []evalPod
	for _, n := range names {
		ns, _ := n.(string)
		prom = append(prom, evalPod{name: "prometheus in " + ns, namespace: ns, labels: map[string]string{"app": "prometheus"}})
	}
	stranger := evalPod{name: "prometheus in " + evalElsewhereNS, namespace: evalElsewhereNS, labels: map[string]string{"app": "prometheus"}}
	for _, to := range servers {
		for _, cp := range to.ports {
			if cp.Name != "http" {
				continue
			}
			for _, p := range prom {
				admit = append(admit, flow{p, to, cp.ContainerPort, "Prometheus scrapes vLLM"})
			}
			refuse = append(refuse, flow{stranger, to, cp.ContainerPort, "scrapes from a namespace nobody named"})
		}
	}
	for _, pk := range c.picker {
		for _, p := range prom {
			admit = append(admit, flow{p, pk, wiring.PickerMetricsPort, "Prometheus scrapes the picker"})
		}
		refuse = append(refuse, flow{stranger, pk, wiring.PickerMetricsPort, "scrapes from a namespace nobody named"})
	}
	return admit, refuse
}

// checkPolicyTypes: every policy isolates ingress and only ingress, so the
// evaluation of the destination's side is the whole story.
func checkPolicyTypes(t *testing.T, policies []networkingv1.NetworkPolicy) {
	t.Helper()
	for _, p := range policies {
		if got := fmt.Sprint(p.Spec.PolicyTypes); got != "[Ingress]" {
			t.Errorf("%s: policyTypes %s, want [Ingress]", p.Name, got)
		}
	}
}
