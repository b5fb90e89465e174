package v1beta1

import (
	corev1 "k8s.io/api/core/v1"
)

// Authentication makes the gateway authenticate every request on the
// managed HTTPRoute of each service, with the policies of the Gateway
// implementation named here. The platform decides it, not each service:
// it runs the gateway, knows its implementation and owns the identity
// provider or the API keys. A service can only opt out, with the
// annotation security.opendatahub.io/enable-auth: "false", and only
// where serviceOptOut allows it.
type Authentication struct {
	// Gateway is the implementation whose policies are composed. Istio
	// composes a security.istio.io/v1 RequestAuthentication and an
	// AuthorizationPolicy on the route's Gateway, the policy's rules
	// scoped to the route's paths and hostnames; it supports jwt only.
	// EnvoyGateway composes a gateway.envoyproxy.io/v1alpha1
	// SecurityPolicy on the managed HTTPRoute, with jwt or apiKey. Unset,
	// nothing is authenticated.
	// +optional
	// +kubebuilder:validation:Enum=Istio;EnvoyGateway
	Gateway AuthenticationGateway `json:"gateway,omitempty"`

	// JWT requires a bearer token signed by the issuer's keys.
	// +optional
	JWT *JWTAuthentication `json:"jwt,omitempty"`

	// APIKey requires one of the API keys held in Secrets (EnvoyGateway
	// only).
	// +optional
	APIKey *APIKeyAuthentication `json:"apiKey,omitempty"`

	// ServiceOptOut says whether a service may turn authentication off
	// with the annotation security.opendatahub.io/enable-auth: "false".
	// Enabled, the default, lets it (a model meant to be public); Disabled
	// refuses such a service.
	// +optional
	// +kubebuilder:validation:Enum=Enabled;Disabled
	ServiceOptOut Switch `json:"serviceOptOut,omitempty"`
}

// AuthenticationGateway is the Gateway implementation that authenticates.
type AuthenticationGateway string

// Gateway implementations that authenticate.
const (
	AuthenticationIstio        AuthenticationGateway = "Istio"
	AuthenticationEnvoyGateway AuthenticationGateway = "EnvoyGateway"
)

// JWTAuthentication requires a JSON Web Token from one issuer, sent as
// Authorization: Bearer <token>.
type JWTAuthentication struct {
	// Issuer is the token's iss claim, e.g. https://issuer.example.com.
	// +kubebuilder:validation:MinLength=1
	Issuer string `json:"issuer"`

	// JWKSURI is the https:// URL of the issuer's public keys (JWKS), which
	// the gateway fetches itself.
	// +kubebuilder:validation:MinLength=1
	JWKSURI string `json:"jwksURI"`

	// Audiences, if set, are the aud claims a token must carry one of.
	// +optional
	Audiences []string `json:"audiences,omitempty"`
}

// APIKeyAuthentication requires an API key in a request header. The keys
// stay in Secrets the platform writes: the function only names them.
type APIKeyAuthentication struct {
	// SecretRefs name Secrets in each service's namespace whose data maps
	// client IDs to API keys, as Envoy Gateway reads them.
	// +kubebuilder:validation:MinItems=1
	SecretRefs []corev1.LocalObjectReference `json:"secretRefs"`

	// Header the key is read from. Defaults to x-api-key.
	// +optional
	Header string `json:"header,omitempty"`
}
