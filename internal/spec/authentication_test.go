package spec

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestAuthenticated pins when a service's route is authenticated: the
// platform has authentication on, the service did not opt out with
// "false" (in any case), and the function composes its route. Any other
// value of the annotation keeps the platform's choice and warns.
func TestAuthenticated(t *testing.T) {
	const typo = `metadata.annotations[security.opendatahub.io/enable-auth]: %q is neither "true" nor "false": route authentication stays as the platform has it; set "false" to turn it off for this service`
	route := LLMInferenceServiceSpec{Router: &RouterSpec{Route: &GatewayRoutesSpec{}}}
	on := Platform{Authentication: true, AuthenticationOptOut: true}
	type want struct {
		Authenticated bool
		Warnings      []string
	}
	cases := map[string]struct {
		reason string
		svc    Service
		want   want
	}{
		"PlatformOff": {
			reason: "Without router.authentication nothing is authenticated.",
			svc:    Service{Spec: route},
		},
		"PlatformOn": {
			reason: "With it, every managed route is, without the service saying anything.",
			svc:    Service{Spec: route, Platform: on},
			want:   want{Authenticated: true},
		},
		"OptedOut": {
			reason: "\"false\", in any case, opts the service out.",
			svc:    Service{Annotations: map[string]string{AnnotationEnableAuth: "FALSE"}, Spec: route, Platform: on},
		},
		"AskedFor": {
			reason: "\"true\" changes nothing where the platform authenticates anyway.",
			svc:    Service{Annotations: map[string]string{AnnotationEnableAuth: "true"}, Spec: route, Platform: on},
			want:   want{Authenticated: true},
		},
		"Typo": {
			reason: "A value that is neither keeps the route authenticated, the safe reading, and says so.",
			svc:    Service{Annotations: map[string]string{AnnotationEnableAuth: "no"}, Spec: route, Platform: on},
			want:   want{Authenticated: true, Warnings: []string{fmt.Sprintf(typo, "no")}},
		},
		"NoRoute": {
			reason: "A service without a route is not reached through a gateway: nothing to authenticate.",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Scheduler: &SchedulerSpec{}}}, Platform: on},
		},
		"RouteRefs": {
			reason: "The user's own routes get no policies (spec.Validate refuses them unless opted out).",
			svc:    Service{Spec: LLMInferenceServiceSpec{Router: &RouterSpec{Route: &GatewayRoutesSpec{HTTP: &HTTPRouteSpec{Refs: []corev1.LocalObjectReference{{Name: "mine"}}}}}}, Platform: on},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var w []string
			if aw := authWarning(tc.svc.Annotations); aw != "" {
				w = append(w, aw)
			}
			got := want{Authenticated: tc.svc.Authenticated(), Warnings: w}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
