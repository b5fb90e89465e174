package compose

import (
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// errNoMainContainer is an internal error: every built-in pod has a main
// container, and no layer of configuration can remove it.
var errNoMainContainer = errors.New(`no container named "main"`)

// checkGPUs compares the GPUs a pod's ranks need with the GPUs its main
// container asks for. KServe does not, so a mismatch there either wastes
// GPUs or crashes vLLM at start; here it is a message naming both fields.
// where is the template (or worker) the container comes from.
func (b *builder) checkGPUs(main *corev1.Container, need int64, how string, par, where *field.Path) field.ErrorList {
	res := b.cfg.GPUResource
	lim, hasLim := main.Resources.Limits[res]
	req, hasReq := main.Resources.Requests[res]
	at := where.Child("containers").Key(wiring.MainContainer).Child("resources", "limits").Key(string(res))
	if hasLim && hasReq && lim.Cmp(req) != 0 {
		return field.ErrorList{field.Invalid(at, lim.String(), fmt.Sprintf("GPU requests (%s) and limits (%s) must be equal", req.String(), lim.String()))}
	}
	q := lim
	if !hasLim {
		q, at = req, where.Child("containers").Key(wiring.MainContainer).Child("resources", "requests").Key(string(res))
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
