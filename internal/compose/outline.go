package compose

import (
	"slices"

	"github.com/crossplane/function-sdk-go/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Outline returns a copy of r whose objects keep only what names them:
// their kind and apiVersion, namespace and name. Once the objects are
// encoded for the response, that is all anything reads of them (the
// conditions name an object by kind, namespace and name); a function that
// keeps a plan for every service it serves must not keep every typed pod
// template too. The objects named keep are kept whole: those a call reads
// or changes after the plan. The rest of r (workloads, scalers, pod sets,
// URL) is kept.
func (r *Result) Outline(keep ...resource.Name) *Result {
	if r == nil {
		return nil
	}
	out := *r
	out.Objects = make([]Object, len(r.Objects))
	for i, o := range r.Objects {
		if slices.Contains(keep, o.Name) {
			out.Objects[i] = o
			continue
		}
		m := &metav1.PartialObjectMetadata{
			TypeMeta:   metav1.TypeMeta{APIVersion: o.Object.GetObjectKind().GroupVersionKind().GroupVersion().String(), Kind: o.Object.GetObjectKind().GroupVersionKind().Kind},
			ObjectMeta: metav1.ObjectMeta{Namespace: o.Object.GetNamespace(), Name: o.Object.GetName()},
		}
		out.Objects[i] = Object{Name: o.Name, Object: m}
	}
	return &out
}
