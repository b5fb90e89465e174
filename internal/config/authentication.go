package config

import (
	"net/url"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// DefaultAPIKeyHeader is the header Envoy Gateway reads API keys from
// unless the input names another.
const DefaultAPIKeyHeader = "x-api-key"

// Authentication is the resolved router.authentication of the input: which
// implementation's policies the function composes, with what they check.
type Authentication struct {
	Gateway v1beta1.AuthenticationGateway
	// JWT or APIKey, exactly one.
	JWT    *v1beta1.JWTAuthentication
	APIKey *v1beta1.APIKeyAuthentication
	// APIKeyHeader is the header API keys are read from.
	APIKeyHeader string
	// OptOut is true when a service may turn authentication off.
	OptOut bool
}

// authenticationFromInput takes router.authentication. The input is
// nothing the API server validates, so every rule its schema states is
// checked here too: a policy the gateway rejects would leave the route
// either open or closed to everyone, depending on the implementation.
func authenticationFromInput(c *Config, in *v1beta1.Authentication, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch in.Gateway {
	case "":
		if in.JWT != nil || in.APIKey != nil {
			errs = append(errs, field.Required(p.Child("gateway"),
				"jwt or apiKey is set but no implementation enforces it: set gateway to Istio or EnvoyGateway, or remove them"))
		}
		return errs
	case v1beta1.AuthenticationIstio, v1beta1.AuthenticationEnvoyGateway:
	default:
		return field.ErrorList{field.NotSupported(p.Child("gateway"), in.Gateway,
			[]v1beta1.AuthenticationGateway{v1beta1.AuthenticationIstio, v1beta1.AuthenticationEnvoyGateway})}
	}
	a := &Authentication{Gateway: in.Gateway, JWT: in.JWT, APIKey: in.APIKey, OptOut: true}
	switch in.ServiceOptOut {
	case "", v1beta1.Enabled:
	case v1beta1.Disabled:
		a.OptOut = false
	default:
		errs = append(errs, field.NotSupported(p.Child("serviceOptOut"), in.ServiceOptOut, []v1beta1.Switch{v1beta1.Enabled, v1beta1.Disabled}))
	}
	switch {
	case in.JWT == nil && in.APIKey == nil:
		errs = append(errs, field.Required(p.Child("jwt"), "gateway "+string(in.Gateway)+" authenticates with jwt or apiKey: set one"))
	case in.JWT != nil && in.APIKey != nil:
		errs = append(errs, field.Invalid(p.Child("apiKey"), "apiKey and jwt",
			"set one of jwt and apiKey: a request would need both a token and a key, which no client expects"))
	case in.APIKey != nil && in.Gateway == v1beta1.AuthenticationIstio:
		errs = append(errs, field.Invalid(p.Child("apiKey"), "apiKey",
			"Istio has no API key authentication: use jwt, or gateway EnvoyGateway"))
	}
	if in.JWT != nil {
		errs = append(errs, checkJWT(in.JWT, p.Child("jwt"))...)
	}
	if in.APIKey != nil {
		a.APIKeyHeader = DefaultAPIKeyHeader
		if h := in.APIKey.Header; h != "" {
			a.APIKeyHeader = h
		}
		errs = append(errs, checkAPIKey(in.APIKey, p.Child("apiKey"))...)
	}
	c.Authentication = a
	return errs
}

func checkJWT(j *v1beta1.JWTAuthentication, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if j.Issuer == "" {
		errs = append(errs, field.Required(p.Child("issuer"), "the iss claim of the tokens, e.g. https://issuer.example.com"))
	}
	// https only: keys fetched in plain text could be swapped by anyone
	// on the path, and then any token they sign is accepted.
	if u, err := url.Parse(j.JWKSURI); err != nil || u.Scheme != "https" || u.Host == "" {
		errs = append(errs, field.Invalid(p.Child("jwksURI"), j.JWKSURI,
			"must be the https:// URL of the issuer's public keys, e.g. https://issuer.example.com/.well-known/jwks.json"))
	}
	for i, a := range j.Audiences {
		if a == "" {
			errs = append(errs, field.Required(p.Child("audiences").Index(i), "an aud claim the tokens carry; remove the empty entry"))
		}
	}
	return errs
}

func checkAPIKey(k *v1beta1.APIKeyAuthentication, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(k.SecretRefs) == 0 {
		errs = append(errs, field.Required(p.Child("secretRefs"),
			"the Secrets holding the API keys (client ID to key), by name in each service's namespace"))
	}
	for i, r := range k.SecretRefs {
		for _, msg := range validation.IsDNS1123Subdomain(r.Name) {
			errs = append(errs, field.Invalid(p.Child("secretRefs").Index(i).Child("name"), r.Name, msg+"; name a Secret in the service's namespace"))
		}
	}
	if k.Header != "" {
		for _, msg := range validation.IsHTTPHeaderName(k.Header) {
			errs = append(errs, field.Invalid(p.Child("header"), k.Header, msg))
		}
	}
	return errs
}
