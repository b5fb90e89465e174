package status

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGatewayProgrammed(t *testing.T) {
	const head = "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: ns, generation: 3}\n"
	cases := map[string]struct {
		reason string
		status string
		want   Health
	}{
		"Programmed": {
			reason: "Programmed=True at the current generation is ready.",
			status: `conditions: [{type: Accepted, status: "True", observedGeneration: 3}, {type: Programmed, status: "True", reason: Programmed, message: ok, observedGeneration: 3}]`,
			want:   Health{Ready: true, Reason: "Programmed", Message: "ok"},
		},
		"NewerGeneration": {
			reason: "A condition observed at a later generation than we saw is current.",
			status: `conditions: [{type: Programmed, status: "True", observedGeneration: 4}]`,
			want:   Health{Ready: true},
		},
		"NoObservedGeneration": {
			reason: "A controller that does not set observedGeneration must not leave the Gateway unready forever.",
			status: `conditions: [{type: Programmed, status: "True"}]`,
			want:   Health{Ready: true},
		},
		"Stale": {
			reason: "Programmed=True from an older generation says nothing about the current spec.",
			status: `conditions: [{type: Programmed, status: "True", observedGeneration: 2}]`,
			want:   Health{Reason: ReasonPending, Message: "Programmed was reported for generation 2, not the current generation 3 yet"},
		},
		"False": {
			reason: "Programmed=False carries the controller's reason and message.",
			status: `conditions: [{type: Programmed, status: "False", reason: AddressNotAssigned, message: no address yet, observedGeneration: 3}]`,
			want:   Health{Reason: "AddressNotAssigned", Message: "no address yet"},
		},
		"UnknownWithoutReason": {
			reason: "A condition without a reason is pending.",
			status: `conditions: [{type: Programmed, status: "Unknown", observedGeneration: 3}]`,
			want:   Health{Reason: ReasonPending, Message: `Programmed is "Unknown"`},
		},
		"NoCondition": {
			reason: "Accepted alone is not Programmed.",
			status: `conditions: [{type: Accepted, status: "True", observedGeneration: 3}]`,
			want:   Health{Reason: ReasonPending, Message: "no Programmed condition yet"},
		},
		"NoStatus": {
			reason: "A Gateway no controller has seen is pending.",
			want:   Health{Reason: ReasonPending, Message: "no Programmed condition yet"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := head
			if tc.status != "" {
				m += "status: {" + tc.status + "}"
			}
			if diff := cmp.Diff(tc.want, Check(observed(t, m))); diff != "" {
				t.Errorf("%s\nCheck(Gateway): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// accepted is a status.parents entry whose conditions are all good at
// generation 3.
const accepted = `conditions: [{type: Accepted, status: "True", observedGeneration: 3}, {type: ResolvedRefs, status: "True", observedGeneration: 3}]`

func TestRouteAccepted(t *testing.T) {
	const head = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ns, generation: 3}\n"
	cases := map[string]struct {
		reason string
		route  string
		want   Health
	}{
		"Accepted": {
			reason: "A parent written with defaults in spec and in full in status is the same parent.",
			route: `
spec: {parentRefs: [{name: gw}]}
status:
  parents:
  - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, namespace: ns, name: gw}
    ` + accepted,
			want: Health{Ready: true},
		},
		"EveryParent": {
			reason: "Every parent must accept the route.",
			route: `
spec: {parentRefs: [{name: a}, {name: b, namespace: other, sectionName: https}]}
status:
  parents:
  - parentRef: {name: a}
    ` + accepted + `
  - parentRef: {name: b, namespace: other, sectionName: https}
    ` + accepted,
			want: Health{Ready: true},
		},
		"MissingParent": {
			reason: "A parent that has not reported yet is named.",
			route: `
spec: {parentRefs: [{name: a}, {name: b, namespace: other}]}
status:
  parents:
  - parentRef: {name: a}
    ` + accepted,
			want: Health{Reason: ReasonPending, Message: "Gateway other/b has not reported on the HTTPRoute yet"},
		},
		"OtherListener": {
			reason: "A report for another listener of the same Gateway is not a report for this one.",
			route: `
spec: {parentRefs: [{name: gw, sectionName: http}]}
status:
  parents:
  - parentRef: {name: gw}
    ` + accepted,
			want: Health{Reason: ReasonPending, Message: "Gateway ns/gw listener http has not reported on the HTTPRoute yet"},
		},
		"NotAccepted": {
			reason: "A parent that refuses the route is named with its reason.",
			route: `
spec: {parentRefs: [{name: gw}]}
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "False", reason: NotAllowedByListeners, message: no listener admits routes from ns, observedGeneration: 3}]`,
			want: Health{Reason: "NotAllowedByListeners", Message: "Gateway ns/gw: Accepted: no listener admits routes from ns"},
		},
		"RefsNotResolved": {
			reason: "An accepted route whose backends do not resolve is not ready.",
			route: `
spec: {parentRefs: [{name: gw}]}
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "True", observedGeneration: 3}, {type: ResolvedRefs, status: "False", reason: BackendNotFound, message: pool p not found, observedGeneration: 3}]`,
			want: Health{Reason: "BackendNotFound", Message: "Gateway ns/gw: ResolvedRefs: pool p not found"},
		},
		"Stale": {
			reason: "Acceptance of an older generation says nothing about the current spec.",
			route: `
spec: {parentRefs: [{name: gw}]}
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "True", observedGeneration: 2}, {type: ResolvedRefs, status: "True", observedGeneration: 2}]`,
			want: Health{Reason: ReasonPending, Message: "Gateway ns/gw: Accepted: Accepted was reported for generation 2, not the current generation 3 yet"},
		},
		"OneControllerEnough": {
			reason: "When several controllers report on one parent, one accepting the route is enough.",
			route: `
spec: {parentRefs: [{name: gw}]}
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "False", reason: NoMatchingParent, observedGeneration: 3}]
  - parentRef: {name: gw}
    ` + accepted,
			want: Health{Ready: true},
		},
		"NoParentRefsAccepted": {
			reason: "A route without parentRefs is ready when the parents that report on it accept it.",
			route: `
spec: {useDefaultGateways: All}
status:
  parents:
  - parentRef: {name: default-gw, namespace: infra}
    ` + accepted,
			want: Health{Ready: true},
		},
		"NoParentRefsNoParents": {
			reason: "A route without parentRefs that nothing reports on is pending.",
			route:  `spec: {useDefaultGateways: All}`,
			want:   Health{Reason: ReasonPending, Message: "no Gateway has accepted the HTTPRoute yet"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Check(observed(t, head+tc.route))); diff != "" {
				t.Errorf("%s\nCheck(HTTPRoute): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestPoolAccepted(t *testing.T) {
	const head = "apiVersion: inference.networking.k8s.io/v1\nkind: InferencePool\nmetadata: {name: p, namespace: ns, generation: 3}\n"
	const notReady = "no Gateway has accepted the InferencePool yet: an HTTPRoute must send traffic to it through a Gateway whose implementation supports InferencePool"
	cases := map[string]struct {
		reason string
		pool   string
		want   Health
	}{
		"Accepted": {
			reason: "A pool accepted by its Gateway with its picker resolved is ready.",
			pool: `
status:
  parents:
  - parentRef: {group: gateway.networking.k8s.io, kind: Gateway, name: gw}
    ` + accepted,
			want: Health{Ready: true},
		},
		"NoParents": {
			reason: "KServe requires a parent: a pool no Gateway uses gets no traffic.",
			pool:   "status: {}",
			want:   Health{Reason: ReasonInferencePoolNotReady, Message: notReady},
		},
		"Placeholder": {
			reason: "The Inference Extension's placeholder parent is no Gateway.",
			pool: `
status:
  parents:
  - parentRef: {kind: Status, name: default}
    conditions: [{type: Accepted, status: "Unknown", reason: Pending}]`,
			want: Health{Reason: ReasonInferencePoolNotReady, Message: notReady},
		},
		"OneParentNotAccepted": {
			reason: "Every parent must accept the pool.",
			pool: `
status:
  parents:
  - parentRef: {name: a}
    ` + accepted + `
  - parentRef: {name: b, namespace: infra}
    conditions: [{type: Accepted, status: "False", reason: NotSupportedByGateway, message: no inference extension, observedGeneration: 3}]`,
			want: Health{Reason: "NotSupportedByGateway", Message: "Gateway infra/b: Accepted: no inference extension"},
		},
		"PickerNotResolved": {
			reason: "An accepted pool whose endpoint picker is missing is not ready.",
			pool: `
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "True", observedGeneration: 3}, {type: ResolvedRefs, status: "False", reason: InvalidExtensionRef, observedGeneration: 3}]`,
			want: Health{Reason: "InvalidExtensionRef", Message: `Gateway ns/gw: ResolvedRefs: ResolvedRefs is "False"`},
		},
		"Stale": {
			reason: "Acceptance of an older generation is not enough.",
			pool: `
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "True", observedGeneration: 3}, {type: ResolvedRefs, status: "True", observedGeneration: 1}]`,
			want: Health{Reason: ReasonPending, Message: "Gateway ns/gw: ResolvedRefs: ResolvedRefs was reported for generation 1, not the current generation 3 yet"},
		},
		"MissingCondition": {
			reason: "A parent that has not resolved references yet is pending.",
			pool: `
status:
  parents:
  - parentRef: {name: gw}
    conditions: [{type: Accepted, status: "True", observedGeneration: 3}]`,
			want: Health{Reason: ReasonPending, Message: "Gateway ns/gw: ResolvedRefs: no ResolvedRefs condition yet"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Check(observed(t, head+tc.pool))); diff != "" {
				t.Errorf("%s\nCheck(InferencePool): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
