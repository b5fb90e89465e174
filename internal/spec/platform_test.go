package spec

import (
	"testing"
)

// TestPlatformGateway checks which Gateway a managed route attaches to by
// default: one composed for the service, or the platform's.
func TestPlatformGateway(t *testing.T) {
	type want struct{ Composes, OnPlatform bool }
	const model = `"model": {"uri": "hf://o/m"}`
	cases := map[string]struct {
		reason string
		spec   string
		// emptyGatewayIsPlatform is the input's whenEmpty: Platform.
		emptyGatewayIsPlatform bool
		want                   want
	}{
		"NoRouter": {
			reason: "Without a route nothing attaches anywhere.",
			spec:   `{` + model + `}`,
		},
		"RouteWithoutGateway": {
			reason: "A route naming no Gateway attaches to the platform's, as in KServe.",
			spec:   `{` + model + `, "router": {"route": {}}}`,
			want:   want{OnPlatform: true},
		},
		"EmptyGateway": {
			reason: "gateway: {} composes a Gateway for the service by default.",
			spec:   `{` + model + `, "router": {"gateway": {}, "route": {}}}`,
			want:   want{Composes: true},
		},
		"EmptyGatewayIsPlatform": {
			reason:                 "When the input says so, gateway: {} is the platform's Gateway.",
			spec:                   `{` + model + `, "router": {"gateway": {}, "route": {}}}`,
			emptyGatewayIsPlatform: true,
			want:                   want{OnPlatform: true},
		},
		"EmptyGatewayWithoutRoute": {
			reason: "A Gateway is composed even with no route to attach, as before (with a warning).",
			spec:   `{` + model + `, "router": {"gateway": {}}}`,
			want:   want{Composes: true},
		},
		"GatewayRefs": {
			reason:                 "Referenced Gateways are the route's parents.",
			spec:                   `{` + model + `, "router": {"gateway": {"refs": [{"name": "g"}]}, "route": {}}}`,
			emptyGatewayIsPlatform: true,
		},
		"OwnParents": {
			reason: "A route with its own parentRefs attaches to them.",
			spec:   `{` + model + `, "router": {"route": {"http": {"spec": {"parentRefs": [{"name": "mine"}]}}}}}`,
		},
		"DefaultGateways": {
			reason: "A route with useDefaultGateways attaches to the cluster's default Gateways.",
			spec:   `{` + model + `, "router": {"route": {"http": {"spec": {"useDefaultGateways": "All"}}}}}`,
		},
		"RouteRefs": {
			reason: "The user's routes attach where they say; nothing is composed.",
			spec:   `{` + model + `, "router": {"route": {"http": {"refs": [{"name": "r"}]}}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := decodeSpec(t, tc.spec)
			svc.Platform.EmptyGatewayIsPlatform = tc.emptyGatewayIsPlatform
			got := want{Composes: svc.ComposesGateway(), OnPlatform: svc.OnPlatformGateway()}
			if got != tc.want {
				t.Errorf("%s\nComposesGateway, OnPlatformGateway: want %+v, got %+v", tc.reason, tc.want, got)
			}
		})
	}
}
