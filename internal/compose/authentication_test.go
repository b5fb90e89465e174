package compose

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// authConfig is the default configuration with router.authentication.
func authConfig(a config.Authentication) config.Config {
	c := config.Default()
	c.Authentication = &a
	return c
}

var (
	testJWT    = &v1beta1.JWTAuthentication{Issuer: "https://login.example.com", JWKSURI: "https://login.example.com/jwks", Audiences: []string{"models"}}
	istioAuth  = config.Authentication{Gateway: v1beta1.AuthenticationIstio, JWT: testJWT, OptOut: true}
	egJWTAuth  = config.Authentication{Gateway: v1beta1.AuthenticationEnvoyGateway, JWT: testJWT, OptOut: true}
	egKeysAuth = config.Authentication{
		Gateway:      v1beta1.AuthenticationEnvoyGateway,
		APIKey:       &v1beta1.APIKeyAuthentication{SecretRefs: []corev1.LocalObjectReference{{Name: "keys-a"}, {Name: "keys-b"}}},
		APIKeyHeader: "x-api-key",
		OptOut:       true,
	}
)

// TestAuthentication checks the policies composed for each gateway
// implementation, in their JSON form (what the API server receives), and
// that a service opted out, or a platform without authentication, gets
// none.
func TestAuthentication(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	router := func(r string) map[string]any {
		var m map[string]any
		mustUnmarshal(t, r, &m)
		return map[string]any{"model": model, "router": m}
	}
	cases := map[string]struct {
		reason      string
		cfg         config.Config
		spec        map[string]any
		annotations map[string]string
		// want maps each authentication resource composed to its spec, as
		// YAML.
		want map[string]string
	}{
		"Off": {
			reason: "A platform without router.authentication composes no policy.",
			cfg:    config.Default(),
			spec:   router(`{"gateway": {}, "route": {}}`),
		},
		"OptedOut": {
			reason:      "A service that opts out gets no policy.",
			cfg:         authConfig(istioAuth),
			spec:        router(`{"gateway": {}, "route": {}}`),
			annotations: map[string]string{spec.AnnotationEnableAuth: "false"},
		},
		"NoRoute": {
			reason: "A service with no route is not reached through a gateway: no policy.",
			cfg:    authConfig(istioAuth),
			spec:   router(`{"scheduler": {}}`),
		},
		"IstioManagedGateway": {
			reason: "Istio: both policies on the managed Gateway, the DENY scoped to the route's path prefix.",
			cfg:    authConfig(istioAuth),
			spec:   router(`{"gateway": {}, "route": {}}`),
			want: map[string]string{
				resourceRequestAuthentication: `
jwtRules:
- {issuer: "https://login.example.com", jwksUri: "https://login.example.com/jwks", audiences: [models]}
targetRefs:
- {group: gateway.networking.k8s.io, kind: Gateway, name: llama-gateway}
`,
				resourceAuthorizationPolicy: `
action: DENY
rules:
- from:
  - source: {notRequestPrincipals: ["*"]}
  to:
  - operation: {paths: [/publishers/team-a/models/llama, /publishers/team-a/models/llama/*, /team-a/llama, /team-a/llama/*]}
targetRefs:
- {group: gateway.networking.k8s.io, kind: Gateway, name: llama-gateway}
`,
			},
		},
		"IstioSharedGatewayInNamespace": {
			reason: "Istio on a Gateway of the namespace that other routes share: one target per Gateway, and the DENY only covers this route's hostnames and paths, so other routes are untouched.",
			cfg:    authConfig(istioAuth),
			spec: router(`{"gateway": {"refs": [{"name": "shared", "sectionName": "http"}, {"name": "shared", "sectionName": "https"}, {"name": "other", "namespace": "team-a"}]},
				"route": {"http": {"spec": {"hostnames": ["llama.example.com", "*.models.example.com"], "rules": [
				  {"matches": [{"path": {"type": "Exact", "value": "/v1/models"}}, {"path": {"type": "PathPrefix", "value": "/v1/chat/"}}]},
				  {"matches": [{"headers": [{"name": "x-model", "value": "llama"}]}]}]}}}}`),
			want: map[string]string{
				resourceRequestAuthentication: `
jwtRules:
- {issuer: "https://login.example.com", jwksUri: "https://login.example.com/jwks", audiences: [models]}
targetRefs:
- {group: gateway.networking.k8s.io, kind: Gateway, name: shared}
- {group: gateway.networking.k8s.io, kind: Gateway, name: other}
`,
				resourceAuthorizationPolicy: `
action: DENY
rules:
- from:
  - source: {notRequestPrincipals: ["*"]}
  to:
  - operation:
      hosts: ["*.models.example.com", llama.example.com, "llama.example.com:*"]
      paths: [/*] # a rule without matches matches every path
targetRefs:
- {group: gateway.networking.k8s.io, kind: Gateway, name: shared}
- {group: gateway.networking.k8s.io, kind: Gateway, name: other}
`,
			},
		},
		"EnvoyGatewayJWTOnPlatformGateway": {
			reason: "Envoy Gateway: a SecurityPolicy on the route itself, so the platform's shared Gateway in another namespace is fine and other routes on it are untouched.",
			cfg:    authConfig(egJWTAuth),
			spec:   router(`{"route": {}}`),
			want: map[string]string{
				resourceSecurityPolicy: `
jwt:
  providers:
  - {name: platform, issuer: "https://login.example.com", audiences: [models], remoteJWKS: {uri: "https://login.example.com/jwks"}}
targetRefs:
- {group: gateway.networking.k8s.io, kind: HTTPRoute, name: llama-route}
`,
			},
		},
		"EnvoyGatewayAPIKeys": {
			reason: "Envoy Gateway with API keys: the Secrets by name only, the key read from the header and not passed on to vLLM.",
			cfg:    authConfig(egKeysAuth),
			spec:   router(`{"gateway": {}, "route": {}}`),
			want: map[string]string{
				resourceSecurityPolicy: `
apiKeyAuth:
  credentialRefs: [{name: keys-a}, {name: keys-b}]
  extractFrom: [{headers: [x-api-key]}]
  sanitize: true
targetRefs:
- {group: gateway.networking.k8s.io, kind: HTTPRoute, name: llama-route}
`,
			},
		},
	}
	authKeys := []string{resourceRequestAuthentication, resourceAuthorizationPolicy, resourceSecurityPolicy}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := decodeWith(t, tc.cfg, tc.spec)
			svc.Annotations = tc.annotations
			res, errs := Build(svc, tc.cfg)
			if len(errs) > 0 {
				t.Fatalf("Build: %v", errs.ToAggregate())
			}
			got := map[string]any{}
			for _, o := range res.Objects {
				if !slices.Contains(authKeys, string(o.Name)) {
					continue
				}
				cd, err := ToComposed(o.Object)
				if err != nil {
					t.Fatal(err)
				}
				got[string(o.Name)] = cd.Object["spec"]
			}
			want := map[string]any{}
			for k, y := range tc.want {
				var m map[string]any
				if err := yaml.Unmarshal([]byte(y), &m); err != nil {
					t.Fatalf("bad want YAML for %s: %v", k, err)
				}
				want[k] = m
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUncovered(t *testing.T) {
	cases := map[string]struct {
		reason string
		paths  []string
		want   []string
	}{
		"UnderPrefix": {
			reason: "An inference endpoint under a prefix the policy already matches is said once, by the prefix.",
			paths:  []string{"/ns/llm", "/ns/llm/*", "/ns/llm/v1/completions", "/ns/llm/v1/completions/*"},
			want:   []string{"/ns/llm", "/ns/llm/*"},
		},
		"SegmentsOnly": {
			reason: "/ns/llm/* does not match /ns/llm2: prefixes cover whole segments.",
			paths:  []string{"/ns/llm/*", "/ns/llm2", "/ns/llm2/*"},
			want:   []string{"/ns/llm/*", "/ns/llm2", "/ns/llm2/*"},
		},
		"Everything": {
			reason: "A rule without matches matches every path: nothing else need be said.",
			paths:  []string{"/*", "/ns/llm", "/ns/llm/*"},
			want:   []string{"/*"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, uncovered(tc.paths)); diff != "" {
				t.Errorf("%s\nuncovered: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
