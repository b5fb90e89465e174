package status

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
)

func unstr(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	return &observed(t, manifest).Unstructured
}

// gateways serves the Gateways of a test by namespace/name.
func gateways(t *testing.T, manifests map[string]string) func(namespace, name string) *unstructured.Unstructured {
	t.Helper()
	gws := map[string]*unstructured.Unstructured{}
	for k, m := range manifests {
		gws[k] = unstr(t, m)
	}
	return func(namespace, name string) *unstructured.Unstructured { return gws[namespace+"/"+name] }
}

const (
	httpGateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
spec:
  listeners: [{name: http, port: 80, protocol: HTTP}]
status:
  addresses: [{type: IPAddress, value: 203.0.113.7}, {type: Hostname, value: gw.example.com}, {type: example.com/name, value: not-an-address}]`
	twoListeners = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
spec:
  listeners: [{name: http, port: 8080, protocol: HTTP}, {name: https, port: 443, protocol: HTTPS}, {name: alt, port: 8443, protocol: HTTPS}]
status:
  addresses: [{value: 10.0.0.5}]`
	ipv6Gateway = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
spec:
  listeners: [{name: http, port: 8000, protocol: HTTP}]
status:
  addresses: [{type: IPAddress, value: "2001:db8::1"}]`
)

// at are urls through the Gateway namespace/name.
func at(gateway string, urls ...string) []routedURL {
	ns, name, _ := strings.Cut(gateway, "/")
	out := make([]routedURL, 0, len(urls))
	for _, u := range urls {
		out = append(out, routedURL{URL: u, Gateway: types.NamespacedName{Namespace: ns, Name: name}})
	}
	return out
}

const routeHead = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ns}\n"

const prefixRule = "\n  rules: [{matches: [{path: {type: PathPrefix, value: /ns/llm}}]}]"

func TestRouteURLs(t *testing.T) {
	cases := map[string]struct {
		reason   string
		route    string
		gateways map[string]string
		want     []routedURL
	}{
		"Addresses": {
			reason:   "Without hostnames every IP and host name address of the Gateway is a host; other address types are not.",
			route:    "spec:\n  parentRefs: [{name: gw}]" + prefixRule,
			gateways: map[string]string{"ns/gw": httpGateway},
			want:     at("ns/gw", "http://203.0.113.7/ns/llm", "http://gw.example.com/ns/llm"),
		},
		"Hostnames": {
			reason:   "The route's hostnames win over addresses; wildcards are no address.",
			route:    "spec:\n  hostnames: [llm.example.com, '*.example.com']\n  parentRefs: [{name: gw}]" + prefixRule,
			gateways: map[string]string{"ns/gw": httpGateway},
			want:     at("ns/gw", "http://llm.example.com/ns/llm"),
		},
		"OnlyWildcards": {
			reason:   "Only wildcard hostnames fall back to the addresses.",
			route:    "spec:\n  hostnames: ['*.example.com']\n  parentRefs: [{name: gw}]" + prefixRule,
			gateways: map[string]string{"ns/gw": httpGateway},
			want:     at("ns/gw", "http://203.0.113.7/ns/llm", "http://gw.example.com/ns/llm"),
		},
		"HTTPSListener": {
			reason:   "An HTTPS listener on 443 gives https without a port.",
			route:    "spec:\n  parentRefs: [{name: gw, namespace: infra, sectionName: https}]" + prefixRule,
			gateways: map[string]string{"infra/gw": twoListeners},
			want:     at("infra/gw", "https://10.0.0.5/ns/llm"),
		},
		"NonDefaultHTTPSPort": {
			reason:   "A port other than the scheme's default is kept.",
			route:    "spec:\n  parentRefs: [{name: gw, namespace: infra, sectionName: alt}]" + prefixRule,
			gateways: map[string]string{"infra/gw": twoListeners},
			want:     at("infra/gw", "https://10.0.0.5:8443/ns/llm"),
		},
		"FirstListener": {
			reason:   "Without a sectionName, or with one no listener has, the first listener stands for the Gateway.",
			route:    "spec:\n  parentRefs: [{name: gw, namespace: infra}, {name: gw, namespace: infra, sectionName: gone}]" + prefixRule,
			gateways: map[string]string{"infra/gw": twoListeners},
			want:     at("infra/gw", "http://10.0.0.5:8080/ns/llm"),
		},
		"IPv6": {
			reason:   "IPv6 addresses are bracketed.",
			route:    "spec:\n  parentRefs: [{name: gw}]" + prefixRule,
			gateways: map[string]string{"ns/gw": ipv6Gateway},
			want:     at("ns/gw", "http://[2001:db8::1]:8000/ns/llm"),
		},
		"MissingGateway": {
			reason:   "A Gateway that cannot be found is skipped.",
			route:    "spec:\n  parentRefs: [{name: gone}, {name: gw}]" + prefixRule,
			gateways: map[string]string{"ns/gw": httpGateway},
			want:     at("ns/gw", "http://203.0.113.7/ns/llm", "http://gw.example.com/ns/llm"),
		},
		"NotAGateway": {
			reason:   "Parents of other kinds (mesh Services) have no URL.",
			route:    "spec:\n  parentRefs: [{group: '', kind: Service, name: gw}]" + prefixRule,
			gateways: map[string]string{"ns/gw": httpGateway},
		},
		"SortedAndUnique": {
			reason: "The same URLs through two Gateways are two addresses each, sorted by URL, then Gateway.",
			route:  "spec:\n  hostnames: [b.example.com, a.example.com]\n  parentRefs: [{name: gw}, {name: other}]" + prefixRule,
			gateways: map[string]string{
				"ns/gw":    httpGateway,
				"ns/other": httpGateway,
			},
			want: []routedURL{
				{URL: "http://a.example.com/ns/llm", Gateway: types.NamespacedName{Namespace: "ns", Name: "gw"}},
				{URL: "http://a.example.com/ns/llm", Gateway: types.NamespacedName{Namespace: "ns", Name: "other"}},
				{URL: "http://b.example.com/ns/llm", Gateway: types.NamespacedName{Namespace: "ns", Name: "gw"}},
				{URL: "http://b.example.com/ns/llm", Gateway: types.NamespacedName{Namespace: "ns", Name: "other"}},
			},
		},
		"NoRules": {
			reason:   "Without a path match the route serves at the root.",
			route:    "spec:\n  parentRefs: [{name: gw}]",
			gateways: map[string]string{"ns/gw": ipv6Gateway},
			want:     at("ns/gw", "http://[2001:db8::1]:8000/"),
		},
		"SameURLTwoFamilies": {
			reason:   "A route serving / with and without a header gives one address there, the one that needs no header.",
			route:    "spec:\n  parentRefs: [{name: gw}]\n  rules: [{matches: [{path: {value: /}, headers: [{name: X-Gateway-Model-Name, value: m}]}]}, {matches: [{path: {value: /}}]}]",
			gateways: map[string]string{"ns/gw": ipv6Gateway},
			want:     at("ns/gw", "http://[2001:db8::1]:8000/"),
		},
		"ThreeFamilies": {
			reason:   "Each family of paths is a URL through each host, sorted by URL, each saying its family.",
			route:    "spec:\n  parentRefs: [{name: gw}]\n  rules: [{matches: [{path: {value: /ns/llm}}, {path: {value: /publishers/ns/models/llm}}, {path: {value: /}, headers: [{name: h, value: m}]}]}]",
			gateways: map[string]string{"ns/gw": ipv6Gateway},
			want: []routedURL{
				{URL: "http://[2001:db8::1]:8000/", Gateway: types.NamespacedName{Namespace: "ns", Name: "gw"}, Kind: headerPathKind},
				{URL: "http://[2001:db8::1]:8000/ns/llm", Gateway: types.NamespacedName{Namespace: "ns", Name: "gw"}, Kind: servicePathKind},
				{URL: "http://[2001:db8::1]:8000/publishers/ns/models/llm", Gateway: types.NamespacedName{Namespace: "ns", Name: "gw"}, Kind: publisherPathKind},
			},
		},
		"NoAddresses": {
			reason:   "A Gateway without addresses and a route without hostnames give no URL.",
			route:    "spec:\n  parentRefs: [{name: gw}]",
			gateways: map[string]string{"ns/gw": "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nspec: {listeners: [{name: http, port: 80, protocol: HTTP}]}"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := routeURLs(unstr(t, routeHead+tc.route), gateways(t, tc.gateways))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nRouteURLs(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestRoutePaths pins the path each family of a route's paths is reported
// at.
func TestRoutePaths(t *testing.T) {
	svc := "{group: '', kind: Service, name: llm-kserve-workload-svc, port: 8000}"
	pool := "{group: inference.networking.k8s.io, kind: InferencePool, name: llm-inference-pool, port: 8000}"
	header := "headers: [{type: Exact, name: X-Gateway-Model-Name, value: publishers/ns/models/llm}]"
	cases := map[string]struct {
		reason string
		rules  string
		want   []routePath
	}{
		"KServeRoute": {
			reason: "The function's route with a scheduler: of each family the prefix to the workload Service, though the inference endpoints come first.",
			rules: `
  - {matches: [{path: {type: PathPrefix, value: /ns/llm/v1/completions}}], backendRefs: [` + pool + `]}
  - {matches: [{path: {type: PathPrefix, value: /ns/llm}}], backendRefs: [` + svc + `]}
  - {matches: [{path: {type: PathPrefix, value: /publishers/ns/models/llm/v1/completions}}], backendRefs: [` + pool + `]}
  - {matches: [{path: {type: PathPrefix, value: /publishers/ns/models/llm}}], backendRefs: [` + svc + `]}
  - {matches: [{path: {type: Exact, value: /v1/completions}, ` + header + `}], backendRefs: [` + pool + `]}
  - {matches: [{path: {type: PathPrefix, value: /}, ` + header + `}], backendRefs: [` + svc + `]}`,
			want: []routePath{{servicePathKind, "/ns/llm"}, {publisherPathKind, "/publishers/ns/models/llm"}, {headerPathKind, "/"}},
		},
		"ServiceBackedFirst": {
			reason: "A deeper path to a Service wins over a shallower one to a pool: the pool's serves the inference endpoints only.",
			rules: `
  - {matches: [{path: {type: PathPrefix, value: /a}}], backendRefs: [` + pool + `]}
  - {matches: [{path: {type: PathPrefix, value: /a/b}}], backendRefs: [{name: s}]}`,
			want: []routePath{{servicePathKind, "/a/b"}},
		},
		"PrefixBeforeExact": {
			reason: "An exact path is an endpoint, not a base: a prefix wins, then fewer segments, then the route's order.",
			rules: `
  - {matches: [{path: {type: Exact, value: /x}}, {path: {type: PathPrefix, value: /a/b}}, {path: {type: PathPrefix, value: /c}}, {path: {type: PathPrefix, value: /d}}]}`,
			want: []routePath{{servicePathKind, "/c"}},
		},
		"HeaderOnlyExact": {
			reason: "A header rule without a prefix is still reported, at its exact path.",
			rules: `
  - {matches: [{path: {type: Exact, value: /v1/completions}, ` + header + `}]}
  - {matches: [{path: {type: PathPrefix, value: /ns/llm}}]}`,
			want: []routePath{{servicePathKind, "/ns/llm"}, {headerPathKind, "/v1/completions"}},
		},
		"NoMatches": {
			reason: "A rule without matches, or a match without a path, serves at the root; a regular expression is no path.",
			rules: `
  - {matches: [{path: {type: RegularExpression, value: "/v[0-9]+"}}]}
  - {matches: [{method: GET}]}`,
			want: []routePath{{servicePathKind, "/"}},
		},
		"OnlyRegularExpression": {
			reason: "A route of regular expressions only has no path to report.",
			rules: `
  - {matches: [{path: {type: RegularExpression, value: "/v[0-9]+"}}]}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := routePaths(unstr(t, routeHead+"spec:\n  rules:"+tc.rules))
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(routePath{})); diff != "" {
				t.Errorf("%s\nroutePaths(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestRouteURLsNil(t *testing.T) {
	if got := routeURLs(nil, gateways(t, nil)); got != nil {
		t.Errorf("routeURLs(nil, ...): want nil, got %v", got)
	}
}

func TestParentGateways(t *testing.T) {
	route := unstr(t, routeHead+`
spec:
  parentRefs:
  - {name: b}
  - {name: a, namespace: infra, sectionName: http}
  - {name: a, namespace: infra, sectionName: https}
  - {group: '', kind: Service, name: svc}
  - {group: gateway.networking.k8s.io, kind: Gateway, namespace: ns, name: b}`)
	want := []types.NamespacedName{{Namespace: "ns", Name: "b"}, {Namespace: "infra", Name: "a"}}
	if diff := cmp.Diff(want, ParentGateways(route)); diff != "" {
		t.Errorf("ParentGateways(...): -want, +got:\n%s", diff)
	}
}

func TestPickURL(t *testing.T) {
	cases := map[string]struct {
		reason string
		urls   []string
		want   string
	}{
		"Empty": {
			reason: "No URL, no pick.",
		},
		"FirstExternal": {
			reason: "The first URL reachable from outside wins over internal ones before it.",
			urls: []string{
				"http://10.1.2.3/ns/llm",
				"http://127.0.0.1/ns/llm",
				"http://169.254.0.1/ns/llm",
				"http://[fd00::1]/ns/llm",
				"http://gw-istio.ns.svc.cluster.local/ns/llm",
				"http://gw.ns.svc/ns/llm",
				"http://gw.corp.internal/ns/llm",
				"http://gw.localhost/ns/llm",
				"http://printer.local/ns/llm",
				"http://gw-istio/ns/llm",
				"http://Gateway.Example.COM./ns/llm",
				"http://203.0.113.7/ns/llm",
			},
			want: "http://Gateway.Example.COM./ns/llm",
		},
		"PublicIP": {
			reason: "A public IP is external.",
			urls:   []string{"http://192.168.1.1/x", "https://203.0.113.7:8443/x"},
			want:   "https://203.0.113.7:8443/x",
		},
		"AllInternal": {
			reason: "With no external URL the first one is still better than none.",
			urls:   []string{"http://10.0.0.1/x", "http://gw.ns.svc.cluster.local/x"},
			want:   "http://10.0.0.1/x",
		},
		"OwnPath": {
			reason: "The service's own path wins over the model name header's root and the publisher path, which sort before and after it.",
			urls:   []string{"http://10.0.0.1/ns/llm", "http://gw.example.com/", "http://gw.example.com/ns/llm", "http://gw.example.com/publishers/ns/models/llm"},
			want:   "http://gw.example.com/ns/llm",
		},
		"OwnPathIsAPrefix": {
			reason: "A path under the service's own counts; one that merely begins with its letters does not.",
			urls:   []string{"http://gw.example.com/ns/llm-2", "http://gw.example.com/ns/llm/v1"},
			want:   "http://gw.example.com/ns/llm/v1",
		},
		"OwnPathInternal": {
			reason: "Without an external URL the same choice is made among the internal ones.",
			urls:   []string{"http://10.0.0.1/", "http://10.0.0.1/ns/llm"},
			want:   "http://10.0.0.1/ns/llm",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := pickURL(tc.urls, "/ns/llm"); got != tc.want {
				t.Errorf("%s\nPickURL(...): want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}

func TestAddressName(t *testing.T) {
	cases := map[string]struct {
		reason string
		url    string
		kind   pathKind
		want   string
	}{
		"External": {
			reason: "A public address is external.",
			url:    "http://203.0.113.7/ns/llm",
			want:   "gateway-external",
		},
		"ExternalName": {
			reason: "A public host name is external, whatever its case.",
			url:    "https://LLM.Example.COM./ns/llm",
			want:   "gateway-external",
		},
		"ClusterLocal": {
			reason: "A name the cluster's DNS serves is KServe's gateway-internal.",
			url:    "http://gw-istio.infra.svc.cluster.local/ns/llm",
			want:   "gateway-internal",
		},
		"ServiceName": {
			reason: "A Service name without the cluster domain is cluster-local too.",
			url:    "http://gw-istio.infra.svc:8080/ns/llm",
			want:   "gateway-internal",
		},
		"PrivateIP": {
			reason: "A private address is only reachable inside a private network: KServe's internal.",
			url:    "http://10.0.0.5/ns/llm",
			want:   "internal",
		},
		"PrivateName": {
			reason: "A private DNS suffix is internal.",
			url:    "http://gw.corp.internal/ns/llm",
			want:   "internal",
		},
		"ExternalModelRouting": {
			reason: "An address reached with the model name header only is KServe's -model-routing one.",
			url:    "http://203.0.113.7/", kind: headerPathKind,
			want: "gateway-external-model-routing",
		},
		"ClusterLocalModelRouting": {
			reason: "The suffix goes on every kind of host.",
			url:    "http://gw-istio.infra.svc.cluster.local/", kind: headerPathKind,
			want: "gateway-internal-model-routing",
		},
		"PublisherPath": {
			reason: "The publisher path is reached by its path alone: no suffix.",
			url:    "http://203.0.113.7/publishers/ns/models/llm", kind: publisherPathKind,
			want: "gateway-external",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := addressName(tc.url, tc.kind); got != tc.want {
				t.Errorf("%s\naddressName(%q): want %q, got %q", tc.reason, tc.url, tc.want, got)
			}
		})
	}
}
