package compose

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// checkGPUs compares the GPUs a pod's ranks need with the GPUs its main
// container asks for. KServe does not, so a mismatch there either wastes
// GPUs or crashes vLLM at start; here it is a message naming both fields.
// where is the template (or worker) the container comes from.
func (b *builder) checkGPUs(main *corev1.Container, need int64, how string, par, where *field.Path) field.ErrorList {
	res := b.cfg.GPUResource
	lim, hasLim := main.Resources.Limits[res]
	req, hasReq := main.Resources.Requests[res]
	at := where.Child("containers").Key(MainContainer).Child("resources", "limits").Key(string(res))
	if hasLim && hasReq && lim.Cmp(req) != 0 {
		return field.ErrorList{field.Invalid(at, lim.String(), fmt.Sprintf("GPU requests (%s) and limits (%s) must be equal", req.String(), lim.String()))}
	}
	q := lim
	if !hasLim {
		q, at = req, where.Child("containers").Key(MainContainer).Child("resources", "requests").Key(string(res))
	}
	if !hasLim && !hasReq {
		if need > 1 {
			return field.ErrorList{field.Required(at, fmt.Sprintf("%s needs %d GPUs per pod (%s) but the pod asks for no %s", par, need, how, res))}
		}
		// No GPU and no parallelism: a CPU model server.
		return nil
	}
	have, ok := q.AsInt64()
	if !ok || have < 0 {
		return field.ErrorList{field.Invalid(at, q.String(), "GPUs must be a whole number")}
	}
	if have != need {
		return field.ErrorList{field.Invalid(at, q.String(), fmt.Sprintf(
			"the pod asks for %d %s but %s needs %d per pod (%s); set %s.tensor (or pipeline, dataLocal) so the pod's ranks use %d, or ask for %d GPUs",
			have, res, par, need, how, par, have, need))}
	}
	return nil
}

// checkArgs refuses user args that would override flags the function owns.
func checkArgs(args []string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, a := range args {
		if flag, why, ok := reservedArg(a); ok {
			errs = append(errs, field.Forbidden(p.Child("containers").Key(MainContainer).Child("args").Index(i), fmt.Sprintf("%s is set by the function: %s", flag, why)))
		}
	}
	return errs
}

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

// checkCredentials refuses inline credential values anywhere in the pod.
func checkCredentials(pod *corev1.PodSpec, p *field.Path) field.ErrorList {
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
