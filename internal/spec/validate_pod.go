package spec

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// credentialEnv are variables that hold secrets for the storage initializer
// or vLLM. A literal value would put the secret into the XR, every composed
// object and etcd in clear text; they must come from a Secret.
var credentialEnv = map[string]bool{
	"HF_TOKEN":                            true,
	"HUGGING_FACE_HUB_TOKEN":              true,
	"HUGGINGFACE_TOKEN":                   true,
	"AWS_ACCESS_KEY_ID":                   true,
	"AWS_SECRET_ACCESS_KEY":               true,
	"AWS_SESSION_TOKEN":                   true,
	"AZURE_CLIENT_SECRET":                 true,
	"AZURE_STORAGE_ACCESS_KEY":            true,
	"GOOGLE_APPLICATION_CREDENTIALS_JSON": true,
	"VLLM_API_KEY":                        true,
	"OPENAI_API_KEY":                      true,
}

// validateCredentials refuses inline credential values in any container of
// the pod template at p.
func validateCredentials(pod *corev1.PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	check := func(kind string, cs []corev1.Container) {
		for _, c := range cs {
			for _, e := range c.Env {
				if credentialEnv[e.Name] && e.Value != "" {
					errs = append(errs, field.Forbidden(p.Child(kind).Key(c.Name).Child("env").Key(e.Name).Child("value"),
						"credentials must be passed by reference (valueFrom.secretKeyRef or envFrom a Secret), never inline"))
				}
			}
		}
	}
	check("initContainers", pod.InitContainers)
	check("containers", pod.Containers)
	return errs
}

// podTemplates are the fields of the spec that are pod specs merged over
// the function's own pods.
var podTemplates = []string{
	"spec.template.",
	"spec.worker.",
	"spec.prefill.template.",
	"spec.prefill.worker.",
	"spec.router.scheduler.template.",
	"spec.router.scheduler.tokenizer.template.",
}

// validatePodFields refuses fields of pod templates that a pod spec does
// not have: a misspelt field would otherwise be dropped by the merge, and
// the pod would silently run without it. Unknown fields elsewhere in the
// spec are reported as a warning (Warnings), as an API server that prunes
// them would.
func validatePodFields(unknown []string) field.ErrorList {
	var errs field.ErrorList
	for _, u := range unknown {
		for _, t := range podTemplates {
			if strings.HasPrefix(u, t) {
				errs = append(errs, &field.Error{Type: field.ErrorTypeNotSupported, Field: u, BadValue: "", Detail: "not a field of a pod spec"})
				break
			}
		}
	}
	return errs
}
