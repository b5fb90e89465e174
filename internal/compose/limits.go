package compose

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// A composedPod is one pod template of a composed object, with where its
// fields are written in the spec.
type composedPod struct {
	template *corev1.PodTemplateSpec
	// spec is the template's path in the spec (spec.template,
	// spec.prefill.worker, spec.router.scheduler.template); owner the
	// spec field its pods' labels and annotations come from (spec,
	// spec.prefill), nil for the picker, whose the function sets.
	spec  *field.Path
	owner *field.Path
	// leader is, for a LeaderWorkerSet's worker, the leader's template
	// path: the worker is the leader's template with spec.worker merged
	// over it, so what breaks a check in both is written in the template.
	leader *field.Path
}

// composedPods are the pod templates of a composed object: a Deployment's,
// or a LeaderWorkerSet's leader and worker. A workload kind the function
// composes must be listed here, or its pods would go unchecked; the tests
// of every example check that each object holding containers is.
func (b *builder) composedPods(o client.Object) []composedPod {
	owners := map[string]*field.Path{}
	for _, r := range b.roles() {
		owners[r.component] = r.path
	}
	switch t := o.(type) {
	case *appsv1.Deployment:
		if t.Labels[labelComponent] == componentScheduler {
			return []composedPod{{template: &t.Spec.Template, spec: field.NewPath("spec", "router", "scheduler", "template")}}
		}
		if t.Labels[labelComponent] == componentTokenizer {
			return []composedPod{{template: &t.Spec.Template, spec: field.NewPath("spec", "router", "scheduler", "tokenizer", "template")}}
		}
		r := owners[t.Labels[labelComponent]]
		return []composedPod{{template: &t.Spec.Template, spec: r.Child("template"), owner: r}}
	case *lwsv1.LeaderWorkerSet:
		r := owners[t.Labels[labelComponent]]
		var out []composedPod
		if l := t.Spec.LeaderWorkerTemplate.LeaderTemplate; l != nil {
			out = append(out, composedPod{template: l, spec: r.Child("template"), owner: r})
		}
		return append(out, composedPod{template: &t.Spec.LeaderWorkerTemplate.WorkerTemplate, spec: r.Child("worker"), owner: r, leader: r.Child("template")})
	}
	return nil
}

// checkComposed runs the checks that need every object built: the pod
// security profile of each pod template, and the API server's and etcd's
// limits on each object. What a LeaderWorkerSet's leader and worker share
// breaks a check once, named where it is written: in the template.
func (b *builder) checkComposed(objs []Object) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	add := func(e *field.Error, field string) {
		if k := string(e.Type) + " " + field + ": " + e.Detail; !seen[k] {
			seen[k] = true
			errs = append(errs, e)
		}
	}
	for _, o := range objs {
		for _, cp := range b.composedPods(o.Object) {
			for _, e := range append(b.checkPodSecurity(cp.template, cp.spec), checkPodMetadata(o.Object, cp)...) {
				f := e.Field
				if cp.leader != nil {
					if rest, ok := strings.CutPrefix(f, cp.spec.String()); ok {
						f = cp.leader.String() + rest
					}
				}
				add(e, f)
			}
		}
		for _, e := range b.checkObject(o.Object) {
			add(e, e.Field)
		}
	}
	return errs
}

// checkObject runs the checks of one composed object as a whole: its
// metadata, its size, and a route's Gateway API limits.
func (b *builder) checkObject(o client.Object) field.ErrorList {
	errs := append(checkObjectMetadata(o), b.checkObjectSize(o)...)
	if rt, ok := o.(*gatewayv1.HTTPRoute); ok {
		errs = append(errs, b.checkRoute(rt)...)
	}
	return errs
}

// describeObject names a composed object in messages.
func describeObject(o client.Object) string {
	return fmt.Sprintf("%s %s", o.GetObjectKind().GroupVersionKind().Kind, o.GetName())
}

// objectPath is where a composed object's field is, for a field the spec
// does not hold (labels and annotations the Function input adds to every
// object).
func objectPath(o client.Object) *field.Path {
	return field.NewPath(o.GetObjectKind().GroupVersionKind().Kind).Key(o.GetName())
}

// checkObjectMetadata applies the API server's limits to a composed
// object's labels and annotations, which come from the Function input (and
// the XR's annotations a LeaderWorkerSet carries over).
func checkObjectMetadata(o client.Object) field.ErrorList {
	p := objectPath(o).Child("metadata")
	errs := checkLabels(o.GetLabels(), p.Child("labels"), "set by the Function input's labels")
	return append(errs, checkAnnotations(o.GetAnnotations(), p.Child("annotations"),
		describeObject(o)+" would carry", "the Function input's annotations")...)
}

// checkPodMetadata applies them to a pod template's labels and
// annotations, which come from the spec's labels and annotations (and the
// XR's, for those carried onto pods).
func checkPodMetadata(o client.Object, cp composedPod) field.ErrorList {
	owner := cp.owner
	if owner == nil {
		owner = cp.spec.Child("metadata")
	}
	errs := checkLabels(cp.template.Labels, owner.Child("labels"), "carried onto the pods of "+describeObject(o))
	return append(errs, checkAnnotations(cp.template.Annotations, owner.Child("annotations"),
		"the pods of "+describeObject(o)+" would carry", owner.Child("annotations").String())...)
}

// checkLabels refuses label keys and values the API server would: values
// of more than 63 characters, or not a label's characters.
func checkLabels(l map[string]string, p *field.Path, where string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(l)) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p.Key(k), k, msg+" ("+where+")"))
		}
		for _, msg := range validation.IsValidLabelValue(l[k]) {
			errs = append(errs, field.Invalid(p.Key(k), l[k], msg+" ("+where+"); shorten the value"))
		}
	}
	return errs
}

// checkAnnotations refuses annotations whose keys and values add up to
// more than the API server stores on one object.
func checkAnnotations(a map[string]string, p *field.Path, who, shorten string) field.ErrorList {
	var n int
	for k, v := range a {
		n += len(k) + len(v)
	}
	if n <= apivalidation.TotalAnnotationSizeLimitB {
		return nil
	}
	e := field.TooLong(p, nil, apivalidation.TotalAnnotationSizeLimitB)
	e.Detail = fmt.Sprintf("%s %d bytes of annotations, more than the %d the API server accepts on an object: shorten %s",
		who, n, apivalidation.TotalAnnotationSizeLimitB, shorten)
	return field.ErrorList{e}
}

// checkObjectSize refuses an object larger than etcd stores. The size is
// that of the object as JSON, as the API server sends it to etcd; what the
// user can shorten in it is the pod template.
func (b *builder) checkObjectSize(o client.Object) field.ErrorList {
	j, err := json.Marshal(o)
	if err != nil {
		return field.ErrorList{field.InternalError(objectPath(o), fmt.Errorf("cannot marshal %s: %w", describeObject(o), err))}
	}
	if len(j) <= wiring.MaxObjectBytes {
		return nil
	}
	p, what := objectPath(o), "its labels and annotations"
	if cps := b.composedPods(o); len(cps) > 0 {
		p, what = cps[0].spec, cps[0].spec.String()+" (env, args, volumes)"
	}
	e := field.TooLong(p, nil, wiring.MaxObjectBytes)
	e.Detail = fmt.Sprintf("%s would be %d bytes as JSON, more than the %d an object may be to fit etcd's %d-byte requests with what the API server adds: shorten %s",
		describeObject(o), len(j), wiring.MaxObjectBytes, wiring.EtcdRequestBytes, what)
	return field.ErrorList{e}
}
