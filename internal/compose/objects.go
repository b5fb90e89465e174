package compose

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const errFmtConvert = "cannot convert %s %q to unstructured"

// Object is one composed resource: the typed object and the name Crossplane
// tracks it by in the pipeline.
type Object struct {
	// Name is the composition resource name, stable across topologies that
	// keep the object, distinct across those that replace it.
	Name resource.Name
	// Object is the typed desired object, with its GVK set.
	Object client.Object
}

// ToComposed converts a typed object into the partial intent Crossplane
// applies with server-side apply. runtime.DefaultUnstructuredConverter keeps
// zero scalars out (composed.From would send `paused: false`, `stdin: false`
// and a zeroed status, claiming ownership of fields we never meant to set),
// but it emits empty structs and null timestamps; prune removes those.
func ToComposed(o client.Object) (*composed.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return nil, errors.Wrapf(err, errFmtConvert, o.GetObjectKind().GroupVersionKind().Kind, o.GetName())
	}
	delete(m, "status")
	prune(m)
	cd := composed.New()
	cd.SetUnstructuredContent(m)
	return cd, nil
}

// keepEmpty are keys whose empty object means something: an emptyDir volume
// with all defaults is `emptyDir: {}`.
var keepEmpty = map[string]bool{
	"emptyDir": true,
}

// prune removes nil values and empty objects, recursively.
func prune(m map[string]any) {
	for k, v := range m {
		switch t := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			prune(t)
			if len(t) == 0 && !keepEmpty[k] {
				delete(m, k)
			}
		case []any:
			for _, e := range t {
				if em, ok := e.(map[string]any); ok {
					prune(em)
				}
			}
		}
	}
}
