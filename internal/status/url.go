package status

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/fieldpath"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// listener is the part of a Gateway listener a URL is made of.
type listener struct {
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
	Port     int32  `json:"port"`
}

// address is one status.addresses entry of a Gateway.
type address struct {
	Type  string `json:"type,omitempty"`
	Value string `json:"value"`
}

// A pathKind is which family of a route's paths a URL is of, as KServe
// tells its addresses apart: the service's own path (or any other a user's
// route serves at), the model's publisher path, or a path that reaches the
// model only with a header, the model name header of model-based routing.
type pathKind int

const (
	servicePathKind pathKind = iota
	publisherPathKind
	headerPathKind
)

// A routedURL is a URL the model is served at through a Gateway.
type routedURL struct {
	URL     string
	Gateway types.NamespacedName
	Kind    pathKind
}

// routeURLs returns every URL the route serves at, with the Gateway it is
// served through, sorted by URL and without duplicates: for each Gateway it
// attaches to (gateway looks them up; nil means unknown and the Gateway is
// skipped), the scheme and port of the listener it attaches to, each of the
// route's hostnames (wildcards are no address) or else each of the
// Gateway's addresses, and the path of each family the route has
// (routePaths).
func routeURLs(route *unstructured.Unstructured, gateway func(namespace, name string) *unstructured.Unstructured) []routedURL {
	if route == nil || gateway == nil {
		return nil
	}
	r := fieldpath.Pave(route.Object)
	var hostnames []string
	_ = r.GetValueInto("spec.hostnames", &hostnames)
	hostnames = slices.DeleteFunc(hostnames, func(h string) bool { return h == "" || strings.Contains(h, "*") })
	paths := routePaths(route)
	var urls []routedURL
	for _, ref := range parentRefs(route) {
		k := wiring.KeyOf(ref, route.GetNamespace())
		if !k.IsGateway() {
			continue
		}
		gw := gateway(k.Namespace, k.Name)
		if gw == nil {
			continue
		}
		l, ok := listenerOf(gw, k.Section)
		if !ok {
			continue
		}
		hosts := hostnames
		if len(hosts) == 0 {
			hosts = gatewayAddresses(gw)
		}
		for _, h := range hosts {
			for _, p := range paths {
				urls = append(urls, routedURL{URL: makeURL(l, h, p.path), Gateway: types.NamespacedName{Namespace: k.Namespace, Name: k.Name}, Kind: p.kind})
			}
		}
	}
	return sortedURLs(urls)
}

// sortedURLs sorts by URL, then Gateway, and keeps one address per URL
// and Gateway: of a URL two families share (a route serving at / with
// and without a header), the one that needs no header.
func sortedURLs(urls []routedURL) []routedURL {
	slices.SortFunc(urls, func(a, b routedURL) int {
		if c := strings.Compare(a.URL, b.URL); c != 0 {
			return c
		}
		if c := strings.Compare(a.Gateway.String(), b.Gateway.String()); c != 0 {
			return c
		}
		return int(a.Kind) - int(b.Kind)
	})
	return slices.CompactFunc(urls, func(a, b routedURL) bool { return a.URL == b.URL && a.Gateway == b.Gateway })
}

// A routePath is the path a route reports for one family of its paths.
type routePath struct {
	kind pathKind
	path string
}

// A matchView is what the status reads of an HTTPRoute match: its path
// (type and value, as written) and whether it also matches headers.
type matchView struct {
	pathType, path string
	headers        bool
}

// routeRules are the route's rules as the status reads them: each rule's
// matches, and whether it sends to a Service. It walks the object as
// decoded rather than converting it to gatewayv1 types, which costs a
// JSON round trip of every rule on every call.
func routeRules(route *unstructured.Unstructured) (rules [][]matchView, toService []bool) {
	spec, _ := route.Object["spec"].(map[string]any)
	raw, _ := spec["rules"].([]any)
	for _, r := range raw {
		rule, _ := r.(map[string]any)
		var ms []matchView
		list, _ := rule["matches"].([]any)
		for _, m := range list {
			match, _ := m.(map[string]any)
			path, _ := match["path"].(map[string]any)
			typ, _ := path["type"].(string)
			value, _ := path["value"].(string)
			headers, _ := match["headers"].([]any)
			ms = append(ms, matchView{pathType: typ, path: value, headers: len(headers) > 0})
		}
		backends, _ := rule["backendRefs"].([]any)
		rules = append(rules, ms)
		toService = append(toService, slices.ContainsFunc(backends, serviceBackend))
	}
	return rules, toService
}

// routePaths are the paths the route's addresses are at, one per family
// of its paths that it has, in the order of the families: of each family
// the shallowest prefix, as KServe reports the base path of each, with
// rules to a Service first (their path serves every endpoint of vLLM,
// /v1/models too, where a pool's serves the inference endpoints only),
// then prefixes before exact paths, then fewer segments, then the route's
// order. A route without rules, a rule without matches, or a match without
// a path serves at /. Regular expressions are no path a client can be
// given.
func routePaths(route *unstructured.Unstructured) []routePath {
	rules, toService := routeRules(route)
	if len(rules) == 0 {
		// Gateway API's default: one rule for any path.
		rules, toService = [][]matchView{nil}, []bool{false}
	}
	var best []candidate
	for i, matches := range rules {
		if len(matches) == 0 {
			matches = []matchView{{}}
		}
		for _, m := range matches {
			c, ok := candidateOf(m, toService[i])
			if !ok {
				continue
			}
			switch j := slices.IndexFunc(best, func(b candidate) bool { return b.kind == c.kind }); {
			case j < 0:
				best = append(best, c)
			case slices.Compare(c.rank[:], best[j].rank[:]) < 0:
				best[j] = c
			}
		}
	}
	if len(best) == 0 {
		return nil
	}
	slices.SortStableFunc(best, func(a, b candidate) int { return int(a.kind) - int(b.kind) })
	out := make([]routePath, len(best))
	for i, c := range best {
		out[i] = c.routePath
	}
	return out
}

// A candidate is a match's path, with its rank in its family: lower is
// better.
type candidate struct {
	routePath
	rank [3]int
}

// candidateOf is the path m matches and its rank (see routePaths); false
// for a regular expression. A path's type defaults to PathPrefix, its
// value to /.
func candidateOf(m matchView, toService bool) (candidate, bool) {
	if m.pathType == string(gatewayv1.PathMatchRegularExpression) {
		return candidate{}, false
	}
	path, exact := m.path, 0
	if path == "" {
		path = "/"
	}
	if m.pathType == string(gatewayv1.PathMatchExact) {
		exact = 1
	}
	kind := servicePathKind
	switch {
	case m.headers:
		kind = headerPathKind
	case strings.HasPrefix(path, wiring.PublisherPathPrefix):
		kind = publisherPathKind
	}
	notService := 1
	if toService {
		notService = 0
	}
	return candidate{routePath{kind, path}, [3]int{notService, exact, depth(path)}}, true
}

// serviceBackend is true for a backendRef to a Service, Gateway API's
// default kind.
func serviceBackend(ref any) bool {
	r, _ := ref.(map[string]any)
	group, _ := r["group"].(string)
	kind, _ := r["kind"].(string)
	return group == "" && (kind == "" || kind == "Service")
}

// depth is how many segments a path has.
func depth(path string) int {
	n := 0
	for s := range strings.SplitSeq(path, "/") {
		if s != "" {
			n++
		}
	}
	return n
}

// ParentGateways returns the Gateways the route attaches to, in the order of
// its parentRefs and without duplicates; the namespace defaults to the
// route's. Other kinds of parents (Services of a mesh) are left out.
func ParentGateways(route *unstructured.Unstructured) []types.NamespacedName {
	if route == nil {
		return nil
	}
	var out []types.NamespacedName
	for _, ref := range parentRefs(route) {
		k := wiring.KeyOf(ref, route.GetNamespace())
		n := types.NamespacedName{Namespace: k.Namespace, Name: k.Name}
		if k.IsGateway() && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// pickURL returns the URL to report as the service's, as KServe picks
// it: the first one reachable from outside the cluster at the service's
// own path (own, /<namespace>/<name>), else the first one reachable from
// outside, and without any such, the same choice among all; "" for none.
func pickURL(urls []string, own string) string {
	atOwn := func(raw string) bool {
		u, err := url.Parse(raw)
		return err == nil && (u.Path == own || strings.HasPrefix(u.Path, own+"/"))
	}
	external := slices.DeleteFunc(slices.Clone(urls), internalURL)
	for _, set := range [][]string{external, urls} {
		if i := slices.IndexFunc(set, atOwn); i >= 0 {
			return set[i]
		}
		if len(set) > 0 {
			return set[0]
		}
	}
	return ""
}

func parentRefs(route *unstructured.Unstructured) []gatewayv1.ParentReference {
	var refs []gatewayv1.ParentReference
	_ = fieldpath.Pave(route.Object).GetValueInto("spec.parentRefs", &refs)
	return refs
}

// listenerOf returns the listener named section, else the first one: a
// route without a sectionName attaches to every listener that allows it,
// and the first stands for them.
func listenerOf(gw *unstructured.Unstructured, section string) (listener, bool) {
	var ls []listener
	_ = fieldpath.Pave(gw.Object).GetValueInto("spec.listeners", &ls)
	if len(ls) == 0 {
		return listener{}, false
	}
	if i := slices.IndexFunc(ls, func(l listener) bool { return l.Name == section }); section != "" && i >= 0 {
		return ls[i], true
	}
	return ls[0], true
}

// gatewayAddresses are the IP addresses and host names the Gateway reports.
// Other address types are implementation-specific names, not something a
// client can connect to.
func gatewayAddresses(gw *unstructured.Unstructured) []string {
	var as []address
	_ = fieldpath.Pave(gw.Object).GetValueInto("status.addresses", &as)
	var out []string
	for _, a := range as {
		t := gatewayv1.AddressType(a.Type)
		if a.Value != "" && (t == "" || t == gatewayv1.IPAddressType || t == gatewayv1.HostnameAddressType) {
			out = append(out, a.Value)
		}
	}
	return out
}

// makeURL leaves the port out when it is the scheme's default.
func makeURL(l listener, host, path string) string {
	scheme, std := "http", int32(80)
	if l.Protocol == string(gatewayv1.HTTPSProtocolType) {
		scheme, std = "https", 443
	}
	switch {
	case l.Port != 0 && l.Port != std:
		host = net.JoinHostPort(host, strconv.Itoa(int(l.Port)))
	case strings.Contains(host, ":"):
		host = "[" + host + "]" // an IPv6 address
	}
	return (&url.URL{Scheme: scheme, Host: host, Path: path}).String()
}

// clusterSuffixes are DNS suffixes of the names a cluster's DNS serves.
var clusterSuffixes = []string{".svc", ".cluster.local"}

// internalSuffixes are DNS suffixes that only resolve inside a cluster or a
// private network.
var internalSuffixes = append([]string{".local", ".localhost", ".internal"}, clusterSuffixes...)

// internalURL is true when the URL's host is only reachable from inside the
// cluster or a private network: a private, loopback or link-local IP, a
// cluster or private DNS suffix, or a single-label name (resolved through
// the cluster's search path only). An unparsable URL is no better.
func internalURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified()
	}
	if !strings.Contains(host, ".") {
		return true
	}
	for _, s := range internalSuffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// Names of status.addresses entries: KServe's for addresses through a
// Gateway, and the function's own for the workload Service.
const (
	addressExternal        = "gateway-external"
	addressClusterInternal = "gateway-internal"
	addressInternal        = "internal"
	addressWorkload        = "workload"

	addressModelRoutingSuffix = "-model-routing"
)

// addressName says what kind of address a URL through a Gateway is, as
// KServe does: one a cluster's DNS serves, one only reachable inside a
// private network, or an external one; an address reached only with the
// model name header (a path of headerPathKind) is suffixed -model-routing.
func addressName(raw string, kind pathKind) string {
	name := hostKind(raw)
	if kind == headerPathKind {
		name += addressModelRoutingSuffix
	}
	return name
}

func hostKind(raw string) string {
	u, err := url.Parse(raw)
	host := ""
	if err == nil {
		host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	}
	switch {
	case err == nil && slices.ContainsFunc(clusterSuffixes, func(s string) bool { return strings.HasSuffix(host, s) }):
		return addressClusterInternal
	case internalURL(raw):
		return addressInternal
	default:
		return addressExternal
	}
}
