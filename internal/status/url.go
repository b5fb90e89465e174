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

// A routedURL is a URL the model is served at through a Gateway.
type routedURL struct {
	URL     string
	Gateway types.NamespacedName
}

// routeURLs returns every URL the route serves at, with the Gateway it is
// served through, sorted by URL and without duplicates: for each Gateway it
// attaches to (gateway looks them up; nil means unknown and the Gateway is
// skipped), the scheme and port of the listener it attaches to, each of the
// route's hostnames (wildcards are no address) or else each of the
// Gateway's addresses, and the path of the route's first match.
func routeURLs(route *unstructured.Unstructured, gateway func(namespace, name string) *unstructured.Unstructured) []routedURL {
	if route == nil || gateway == nil {
		return nil
	}
	r := fieldpath.Pave(route.Object)
	var hostnames []string
	_ = r.GetValueInto("spec.hostnames", &hostnames)
	hostnames = slices.DeleteFunc(hostnames, func(h string) bool { return h == "" || strings.Contains(h, "*") })
	path, _ := r.GetString("spec.rules[0].matches[0].path.value")
	if path == "" {
		path = "/"
	}
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
			urls = append(urls, routedURL{URL: makeURL(l, h, path), Gateway: types.NamespacedName{Namespace: k.Namespace, Name: k.Name}})
		}
	}
	return sortedURLs(urls)
}

// sortedURLs sorts by URL, then Gateway, and drops duplicates.
func sortedURLs(urls []routedURL) []routedURL {
	slices.SortFunc(urls, func(a, b routedURL) int {
		if c := strings.Compare(a.URL, b.URL); c != 0 {
			return c
		}
		return strings.Compare(a.Gateway.String(), b.Gateway.String())
	})
	return slices.Compact(urls)
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

// pickURL returns the URL to report as the service's: the first one
// reachable from outside the cluster, else the first one, else "".
func pickURL(urls []string) string {
	for _, u := range urls {
		if !internalURL(u) {
			return u
		}
	}
	if len(urls) > 0 {
		return urls[0]
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
)

// addressName says what kind of address a URL through a Gateway is, as
// KServe does: one a cluster's DNS serves, one only reachable inside a
// private network, or an external one. KServe's -model-routing names do not
// occur: the function composes no routing by model name header.
func addressName(raw string) string {
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
