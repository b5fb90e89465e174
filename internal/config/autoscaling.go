package config

import (
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// KEDA's kinds of trigger authentication, and the auth modes its
// prometheus scaler knows.
const (
	TriggerAuthentication        = "TriggerAuthentication"
	ClusterTriggerAuthentication = "ClusterTriggerAuthentication"
)

var prometheusAuthModes = []string{"basic", "bearer", "tls", "custom"}

// autoscalingFromInput takes the platform's Prometheus for WVA's KEDA
// triggers, with KServe's rules for autoscaling-wva-controller-config: a
// URL, and authModes and triggerAuthName both or neither (a mode without
// credentials fails every query; credentials without a mode are never
// sent).
func autoscalingFromInput(c *Config, in *v1beta1.Autoscaling, p *field.Path) field.ErrorList {
	pr := in.Prometheus
	if pr == nil {
		return nil
	}
	pp := p.Child("prometheus")
	var errs field.ErrorList
	if pr.URL == "" {
		errs = append(errs, field.Required(pp.Child("url"), "the Prometheus API KEDA queries, e.g. http://prometheus.monitoring.svc:9090"))
	} else if u, err := url.Parse(pr.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, field.Invalid(pp.Child("url"), pr.URL, "must be an http:// or https:// URL with a host, e.g. http://prometheus.monitoring.svc:9090"))
	}
	if (pr.AuthModes == "") != (pr.TriggerAuthName == "") {
		errs = append(errs, field.Invalid(pp.Child("authModes"), pr.AuthModes,
			"authModes and triggerAuthName must be set together: the TriggerAuthentication holds the credentials the auth modes send; set both, or neither for a Prometheus without authentication"))
	}
	for _, m := range strings.Split(pr.AuthModes, ",") {
		if m = strings.TrimSpace(m); pr.AuthModes != "" && !contains(prometheusAuthModes, m) {
			errs = append(errs, field.NotSupported(pp.Child("authModes"), m, prometheusAuthModes))
		}
	}
	if pr.TriggerAuthName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(pr.TriggerAuthName) {
			errs = append(errs, field.Invalid(pp.Child("triggerAuthName"), pr.TriggerAuthName, msg))
		}
	}
	switch pr.TriggerAuthKind {
	case "", TriggerAuthentication, ClusterTriggerAuthentication:
		if pr.TriggerAuthKind != "" && pr.TriggerAuthName == "" {
			errs = append(errs, field.Required(pp.Child("triggerAuthName"), "triggerAuthKind names the kind of triggerAuthName: set the name too, or remove the kind"))
		}
	default:
		errs = append(errs, field.NotSupported(pp.Child("triggerAuthKind"), pr.TriggerAuthKind, []string{TriggerAuthentication, ClusterTriggerAuthentication}))
	}
	p2 := *pr
	c.Prometheus = &p2
	return errs
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
