package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
)

// byoXR references a Gateway in another namespace, an HTTPRoute and a pool.
const byoXR = `{
  "apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
  "metadata": {"name": "m", "namespace": "ns"},
  "spec": {"model": {"uri": "hf://o/m"},
    "router": {"gateway": {"refs": [{"name": "gw", "namespace": "infra"}]},
               "route": {"http": {"refs": [{"name": "r"}]}},
               "scheduler": {"pool": {"ref": {"name": "p"}}}}}
}`

const (
	reqGateway = "gateway/infra/gw"
	reqRoute   = "httproute/ns/r"
	reqPool    = "inferencepool/ns/p"
	// reqRouteGateway is the Gateway the referenced route attaches to,
	// which the spec does not name.
	reqRouteGateway = "gateway/infra/edge"
)

const (
	byoGateway = `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "%s", "namespace": "infra", "generation": 1},
	  "spec": {"gatewayClassName": "c", "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS"}]},
	  "status": {"addresses": [{"value": "%s"}], "conditions": [{"type": "Programmed", "status": "True", "reason": "Programmed", "observedGeneration": 1}]}}`
	byoRoute = `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "ns", "generation": 1},
	  "spec": {"parentRefs": [{"name": "edge", "namespace": "infra"}], "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/m"}}]}]},
	  "status": {"parents": [{"parentRef": {"name": "edge", "namespace": "infra"}, "controllerName": "c",
	    "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted"}, {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"}]}]}}`
	byoPool = `{"apiVersion": "inference.networking.k8s.io/v1", "kind": "InferencePool", "metadata": {"name": "p", "namespace": "ns", "generation": 1},
	  "status": {"parents": [{"parentRef": {"name": "edge", "namespace": "infra"},
	    "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted"}, {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"}]}]}}`
)

func gw(name, addr string) string {
	return strings.Replace(strings.Replace(byoGateway, "%s", name, 1), "%s", addr, 1)
}

func TestRunFunctionReferences(t *testing.T) {
	workloadReady := map[string]string{"workload-deployment": availableDeployment(1, 1)}
	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
		want   summary
	}{
		"FirstCall": {
			reason: "Before Crossplane has read anything the function asks for every referenced object, composes only the workload, and holds the XR not ready.",
			req:    newRequest(byoXR, nil, ""),
			want: summary{
				Resources: map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_FALSE, "workload-service": fnv1.Ready_READY_FALSE, "workload-networkpolicy": fnv1.Ready_READY_FALSE},
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_FALSE/Creating", "WorkloadsReady": "STATUS_CONDITION_FALSE/Creating",
					"GatewaysReady": "STATUS_CONDITION_FALSE/Pending", "HTTPRoutesReady": "STATUS_CONDITION_FALSE/Pending",
					"InferencePoolReady": "STATUS_CONDITION_FALSE/Pending", "RouterReady": "STATUS_CONDITION_FALSE/Pending",
				},
				Namespace:    "ns",
				URL:          "http://m-workload.ns.svc.cluster.local:8000",
				TTL:          30 * time.Second,
				Requirements: []string{reqGateway, reqRoute, reqPool},
				XRReady:      fnv1.Ready_READY_FALSE,
			},
		},
		"RouteGatewayAsked": {
			reason: "Once the route is read, the Gateway it attaches to is asked for too: its address makes the URL.",
			req:    withRequired(newRequest(byoXR, workloadReady, ""), map[string][]string{reqGateway: {gw("gw", "10.0.0.1")}, reqRoute: {byoRoute}, reqPool: {byoPool}}),
			want: summary{
				Resources: map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_TRUE, "workload-service": fnv1.Ready_READY_FALSE, "workload-networkpolicy": fnv1.Ready_READY_FALSE},
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available",
					"GatewaysReady": "STATUS_CONDITION_FALSE/Pending", "HTTPRoutesReady": "STATUS_CONDITION_TRUE/Ready",
					"InferencePoolReady": "STATUS_CONDITION_TRUE/Ready", "RouterReady": "STATUS_CONDITION_FALSE/Pending",
				},
				Namespace:    "ns",
				URL:          "http://m-workload.ns.svc.cluster.local:8000",
				TTL:          30 * time.Second,
				Requirements: []string{reqRouteGateway, reqGateway, reqRoute, reqPool},
				XRReady:      fnv1.Ready_READY_FALSE,
			},
		},
		"AllResolved": {
			reason: "Everything referenced exists and is healthy: the URL is the external https address of the route's Gateway; the XR's readiness is left to Crossplane.",
			req: withRequired(newRequest(byoXR, map[string]string{
				"workload-deployment":    availableDeployment(1, 1),
				"workload-service":       `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "m-workload"}}`,
				"workload-networkpolicy": observedNetworkPolicy("m"),
			}, ""), map[string][]string{reqGateway: {gw("gw", "10.0.0.1")}, reqRoute: {byoRoute}, reqPool: {byoPool}, reqRouteGateway: {gw("edge", "203.0.113.5")}}),
			want: summary{
				Resources: map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_TRUE, "workload-service": fnv1.Ready_READY_TRUE, "workload-networkpolicy": fnv1.Ready_READY_TRUE},
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available",
					"GatewaysReady": "STATUS_CONDITION_TRUE/Ready", "HTTPRoutesReady": "STATUS_CONDITION_TRUE/Ready",
					"InferencePoolReady": "STATUS_CONDITION_TRUE/Ready", "RouterReady": "STATUS_CONDITION_TRUE/Ready",
				},
				Namespace:    "ns",
				URL:          "https://203.0.113.5/m",
				TTL:          10 * time.Minute,
				Requirements: []string{reqRouteGateway, reqGateway, reqRoute, reqPool},
			},
		},
		"GatewayMissing": {
			reason: "A referenced Gateway that does not exist is named with reason RefsInvalid, and the XR is held not ready.",
			req: withRequired(newRequest(byoXR, workloadReady, ""),
				map[string][]string{reqGateway: nil, reqRoute: {byoRoute}, reqPool: {byoPool}, reqRouteGateway: {gw("edge", "203.0.113.5")}}),
			want: summary{
				Resources: map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_TRUE, "workload-service": fnv1.Ready_READY_FALSE, "workload-networkpolicy": fnv1.Ready_READY_FALSE},
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available",
					"GatewaysReady": "STATUS_CONDITION_FALSE/RefsInvalid", "HTTPRoutesReady": "STATUS_CONDITION_TRUE/Ready",
					"InferencePoolReady": "STATUS_CONDITION_TRUE/Ready", "RouterReady": "STATUS_CONDITION_FALSE/RefsInvalid",
				},
				Namespace:    "ns",
				URL:          "https://203.0.113.5/m",
				TTL:          30 * time.Second,
				Requirements: []string{reqRouteGateway, reqGateway, reqRoute, reqPool},
				XRReady:      fnv1.Ready_READY_FALSE,
			},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("%s\nRunFunction returned an error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, summarise(rsp)); diff != "" {
				t.Errorf("%s\nf.RunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// platformXR has a managed route and names no Gateway: KServe attaches such
// a route to the platform's Gateway.
const platformXR = `{
  "apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService",
  "metadata": {"name": "m", "namespace": "ns"},
  "spec": {"model": {"uri": "hf://o/m"}, "router": {"route": {}}}
}`

// reqPlatformGateway is the platform's Gateway by default: KServe's
// kserve/kserve-ingress-gateway.
const reqPlatformGateway = "gateway/kserve/kserve-ingress-gateway"

// platformGateway is the platform's Gateway as Crossplane reads it: HTTP on
// port 80 for routes of every namespace, programmed at addr.
func platformGateway(namespace, name, addr string) string {
	return `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "` + name + `", "namespace": "` + namespace + `", "generation": 1},
	  "spec": {"gatewayClassName": "c", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP", "allowedRoutes": {"namespaces": {"from": "All"}}}]},
	  "status": {"addresses": [{"type": "IPAddress", "value": "` + addr + `"}], "conditions": [{"type": "Programmed", "status": "True", "reason": "Programmed", "observedGeneration": 1}]}}`
}

// platformRoute is the managed route as observed once the platform's
// Gateway accepted it.
const platformRoute = `{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "m-route", "namespace": "ns", "generation": 1},
  "spec": {"parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "kserve-ingress-gateway", "namespace": "kserve"}],
    "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/ns/m"}}]}]},
  "status": {"parents": [{"parentRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "kserve-ingress-gateway", "namespace": "kserve"},
    "controllerName": "example.com/gateway",
    "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted", "observedGeneration": 1},
                   {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs", "observedGeneration": 1}]}]}}`

// TestRunFunctionPlatformGateway covers a managed route that attaches to
// the platform's Gateway: the Gateway is read as a required resource, held
// against the XR's readiness like a referenced one, and its address makes
// the URL.
func TestRunFunctionPlatformGateway(t *testing.T) {
	observed := map[string]string{
		"workload-deployment":    availableDeployment(1, 1),
		"workload-service":       `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "m-workload", "namespace": "ns"}}`,
		"route":                  platformRoute,
		"workload-networkpolicy": observedNetworkPolicy("m"),
	}
	routerNotReady := func(gateways string) map[string]string {
		return map[string]string{
			"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available",
			"GatewaysReady": gateways, "HTTPRoutesReady": "STATUS_CONDITION_TRUE/Ready", "RouterReady": gateways,
		}
	}
	allReady := map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_TRUE, "workload-service": fnv1.Ready_READY_TRUE, "route": fnv1.Ready_READY_TRUE, "workload-networkpolicy": fnv1.Ready_READY_TRUE}
	cases := map[string]struct {
		reason string
		req    *fnv1.RunFunctionRequest
		want   summary
	}{
		"Pending": {
			reason: "Before Crossplane has read the platform's Gateway the function asks for it, composes no Gateway, and holds the XR not ready.",
			req:    newRequest(platformXR, observed, ""),
			want: summary{
				Resources:    allReady,
				Conditions:   routerNotReady("STATUS_CONDITION_FALSE/Pending"),
				Namespace:    "ns",
				URL:          "http://m-workload.ns.svc.cluster.local:8000",
				TTL:          30 * time.Second,
				Requirements: []string{reqPlatformGateway, requirementPeers},
				XRReady:      fnv1.Ready_READY_FALSE,
			},
		},
		"Missing": {
			reason: "A platform Gateway that does not exist is reported with reason RefsInvalid, and the XR is held not ready.",
			req:    withRequired(newRequest(platformXR, observed, ""), map[string][]string{reqPlatformGateway: nil}),
			want: summary{
				Resources:    allReady,
				Conditions:   routerNotReady("STATUS_CONDITION_FALSE/RefsInvalid"),
				Namespace:    "ns",
				URL:          "http://m-workload.ns.svc.cluster.local:8000",
				TTL:          30 * time.Second,
				Requirements: []string{reqPlatformGateway, requirementPeers},
				XRReady:      fnv1.Ready_READY_FALSE,
			},
		},
		"Ready": {
			reason: "Once the platform's Gateway is programmed and has accepted the route, the service is ready at the Gateway's address.",
			req: withRequired(newRequest(platformXR, observed, ""),
				map[string][]string{reqPlatformGateway: {platformGateway("kserve", "kserve-ingress-gateway", "203.0.113.20")}}),
			want: summary{
				Resources: allReady,
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available",
					"GatewaysReady": "STATUS_CONDITION_TRUE/Ready", "HTTPRoutesReady": "STATUS_CONDITION_TRUE/Ready", "RouterReady": "STATUS_CONDITION_TRUE/Ready",
				},
				Namespace:    "ns",
				URL:          "http://203.0.113.20/ns/m",
				TTL:          10 * time.Minute,
				Requirements: []string{reqPlatformGateway, requirementPeers},
			},
		},
		"EmptyGatewayIsPlatform": {
			reason: "With the input's whenEmpty: Platform, gateway: {} is the platform's Gateway too: it is read, and none is composed.",
			req: withRequired(newRequest(strings.Replace(platformXR, `"router": {"route": {}}`, `"router": {"gateway": {}, "route": {}}`, 1), observed,
				invalidInput(`"router": {"gateway": {"whenEmpty": "Platform"}}`)),
				map[string][]string{reqPlatformGateway: {platformGateway("kserve", "kserve-ingress-gateway", "203.0.113.20")}}),
			want: summary{
				Resources: allReady,
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_TRUE/Available", "WorkloadsReady": "STATUS_CONDITION_TRUE/Available",
					"GatewaysReady": "STATUS_CONDITION_TRUE/Ready", "HTTPRoutesReady": "STATUS_CONDITION_TRUE/Ready", "RouterReady": "STATUS_CONDITION_TRUE/Ready",
				},
				Namespace:    "ns",
				URL:          "http://203.0.113.20/ns/m",
				TTL:          10 * time.Minute,
				Requirements: []string{reqPlatformGateway, requirementPeers},
			},
		},
		"PlatformGatewayFromInput": {
			reason: "The platform's Gateway is the one the input names.",
			req:    newRequest(platformXR, nil, invalidInput(`"router": {"gateway": {"platform": {"name": "inference", "namespace": "gateways"}}}`)),
			want: summary{
				Resources: map[string]fnv1.Ready{"workload-deployment": fnv1.Ready_READY_FALSE, "workload-service": fnv1.Ready_READY_FALSE, "route": fnv1.Ready_READY_FALSE, "workload-networkpolicy": fnv1.Ready_READY_FALSE},
				Conditions: map[string]string{
					"MainWorkloadReady": "STATUS_CONDITION_FALSE/Creating", "WorkloadsReady": "STATUS_CONDITION_FALSE/Creating",
					"GatewaysReady": "STATUS_CONDITION_FALSE/Pending", "HTTPRoutesReady": "STATUS_CONDITION_FALSE/Creating", "RouterReady": "STATUS_CONDITION_FALSE/Pending",
				},
				Namespace:    "ns",
				URL:          "http://m-workload.ns.svc.cluster.local:8000",
				TTL:          30 * time.Second,
				Requirements: []string{"gateway/gateways/inference", requirementPeers},
				XRReady:      fnv1.Ready_READY_FALSE,
			},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("%s\nRunFunction returned an error: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, summarise(rsp)); diff != "" {
				t.Errorf("%s\nf.RunFunction(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
