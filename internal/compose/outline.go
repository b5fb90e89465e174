package compose

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Outline returns a copy of r whose objects keep only what names them:
// their kind and apiVersion, namespace and name. Once the objects are
// encoded for the response, that is all anything reads of them (the
// conditions name an object by kind, namespace and name); a function that
// keeps a plan for every service it serves must not keep every typed pod
// template too. The rest of r (workloads, scalers, pod sets, URL) is kept.
func (r *Result) Outline() *Result {
	if r == nil {
		return nil
	}
	out := *r
	out.Objects = make([]Object, len(r.Objects))
	for i, o := range r.Objects {
		m := &metav1.PartialObjectMetadata{
			TypeMeta:   metav1.TypeMeta{APIVersion: o.Object.GetObjectKind().GroupVersionKind().GroupVersion().String(), Kind: o.Object.GetObjectKind().GroupVersionKind().Kind},
			ObjectMeta: metav1.ObjectMeta{Namespace: o.Object.GetNamespace(), Name: o.Object.GetName()},
		}
		out.Objects[i] = Object{Name: o.Name, Object: m}
	}
	return &out
}
