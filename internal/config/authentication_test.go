package config

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// TestFromInputAuthentication checks what router.authentication resolves
// to, and what of it the spec's rules read (Platform).
func TestFromInputAuthentication(t *testing.T) {
	jwt := &v1beta1.JWTAuthentication{Issuer: "https://i", JWKSURI: "https://i/jwks", Audiences: []string{"models"}}
	type want struct {
		auth     *Authentication
		platform spec.Platform
	}
	cases := map[string]struct {
		reason string
		input  string
		want   want
	}{
		"Off": {
			reason: "Without router.authentication nothing is authenticated, and a service's opt-out is allowed.",
			input:  `{}`,
			want:   want{platform: spec.Platform{AuthenticationOptOut: true}},
		},
		"IstioJWT": {
			reason: "Istio with a JWT issuer; services may opt out by default.",
			input:  `{"router": {"authentication": {"gateway": "Istio", "jwt": {"issuer": "https://i", "jwksURI": "https://i/jwks", "audiences": ["models"]}}}}`,
			want: want{
				auth:     &Authentication{Gateway: v1beta1.AuthenticationIstio, JWT: jwt, OptOut: true},
				platform: spec.Platform{Authentication: true, AuthenticationOptOut: true},
			},
		},
		"EnvoyGatewayAPIKeyNoOptOut": {
			reason: "Envoy Gateway with API keys from the default header; the platform forbids opting out.",
			input:  `{"router": {"authentication": {"gateway": "EnvoyGateway", "apiKey": {"secretRefs": [{"name": "keys"}]}, "serviceOptOut": "Disabled"}}}`,
			want: want{
				auth: &Authentication{
					Gateway:      v1beta1.AuthenticationEnvoyGateway,
					APIKey:       &v1beta1.APIKeyAuthentication{SecretRefs: []corev1.LocalObjectReference{{Name: "keys"}}},
					APIKeyHeader: DefaultAPIKeyHeader,
				},
				platform: spec.Platform{Authentication: true},
			},
		},
		"APIKeyHeader": {
			reason: "The input names the header the keys are read from.",
			input:  `{"router": {"authentication": {"gateway": "EnvoyGateway", "apiKey": {"secretRefs": [{"name": "keys"}], "header": "x-llm-key"}, "serviceOptOut": "Enabled"}}}`,
			want: want{
				auth: &Authentication{
					Gateway:      v1beta1.AuthenticationEnvoyGateway,
					APIKey:       &v1beta1.APIKeyAuthentication{SecretRefs: []corev1.LocalObjectReference{{Name: "keys"}}, Header: "x-llm-key"},
					APIKeyHeader: "x-llm-key",
					OptOut:       true,
				},
				platform: spec.Platform{Authentication: true, AuthenticationOptOut: true},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &v1beta1.Input{}
			if err := json.Unmarshal([]byte(tc.input), in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			c, errs := FromInput(in)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			p := c.Platform()
			got := want{auth: c.Authentication, platform: spec.Platform{Authentication: p.Authentication, AuthenticationOptOut: p.AuthenticationOptOut}}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nFromInput: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
