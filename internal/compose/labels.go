package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
)

// Well-known labels. The app.kubernetes.io and kserve.io keys are the ones
// KServe's controller sets, so selectors and dashboards written for KServe
// keep working; llm-d.ai/role is what llm-d's endpoint picker filters on.
const (
	labelName      = "app.kubernetes.io/name"
	labelPartOf    = "app.kubernetes.io/part-of"
	labelComponent = "app.kubernetes.io/component"
	labelManagedBy = "app.kubernetes.io/managed-by"
	labelKServe    = "kserve.io/component"
	labelRole      = "llm-d.ai/role"

	partOf    = "llminferenceservice"
	managedBy = "function-llm-inference-service"

	componentWorkload = "llminferenceservice-workload"

	roleBoth = "both"
)

// propagatedAnnotationPrefixes are XR annotations carried onto pods: Multus
// networks (RDMA) and Kueue admission, as KServe does.
var propagatedAnnotationPrefixes = []string{"k8s.v1.cni.cncf.io", "kueue.x-k8s.io"}

// propagatedLabelPrefixes are XR labels carried onto pods.
var propagatedLabelPrefixes = []string{"kueue.x-k8s.io"}

// serviceLabel is the value of app.kubernetes.io/name: a label value must be
// at most 63 characters, which an object name need not be.
func serviceLabel(name string) string {
	return names.Child(name, "")
}

// commonLabels are set on every composed object.
func (b *builder) commonLabels(component string) map[string]string {
	l := make(map[string]string, len(b.cfg.Labels)+4)
	maps.Copy(l, b.cfg.Labels)
	l[labelName] = serviceLabel(b.svc.Name)
	l[labelPartOf] = partOf
	l[labelManagedBy] = managedBy
	l[labelComponent] = component
	return l
}

// selectorLabels select a workload's pods. They must never change for the
// life of a workload (a Deployment's selector is immutable), so the role,
// which changes when prefill is turned on, is not part of them.
func (b *builder) selectorLabels(component string) map[string]string {
	return map[string]string{
		labelName:      serviceLabel(b.svc.Name),
		labelPartOf:    partOf,
		labelComponent: component,
	}
}

// Model-server pods carry two kinds of labels the function sets.
//
// Their identity, app.kubernetes.io/name and app.kubernetes.io/part-of,
// says whose pods they are: the InferencePool and the workload Service
// select on it, with kserve.io/component. spec.labels may set it, as
// KServe's heterogeneous-GPU sample does to serve one service's pods (on
// AMD GPUs) in the pool of another (on NVIDIA GPUs): the pods then carry
// the user's values. The Deployment selects its pods by their identity and
// component, and a Deployment's selector can never change, so a Deployment
// whose pods carry another identity is another Deployment, named after its
// selector (identityWorkload): changing these labels replaces the
// Deployment's pods instead of failing to update it. A LeaderWorkerSet has
// no selector of ours (its controller selects its pods by the
// LeaderWorkerSet's name), so it keeps its name and rolls its groups.
//
// Their role, ownedPodLabels, says what they do: which workload of the
// service they belong to, whether they serve (kserve.io/component, which
// pipeline stages other than the first do not carry) and as what
// (llm-d.ai/role, which the picker's prefill/decode filters read). Those
// are the function's: spec.labels may repeat their value, not change it.
var ownedPodLabels = []string{labelComponent, labelKServe, labelRole}

// identity is who the role's pods say they are: spec.labels' name and
// part-of, else the service's.
func (b *builder) identity(r role) (name, partOfValue string) {
	name, partOfValue = serviceLabel(b.svc.Name), partOf
	if v, ok := r.w.Labels[labelName]; ok {
		name = v
	}
	if v, ok := r.w.Labels[labelPartOf]; ok {
		partOfValue = v
	}
	return name, partOfValue
}

// workloadSelector is what the role's workload selects its pods by: their
// identity and component. It is selectorLabels(r.component) unless
// spec.labels gives the pods another identity.
func (b *builder) workloadSelector(r role) map[string]string {
	name, p := b.identity(r)
	return map[string]string{labelName: name, labelPartOf: p, labelComponent: r.component}
}

// otherIdentity is true when spec.labels gives the role's pods an identity
// other than the service's.
func (b *builder) otherIdentity(r role) bool {
	name, p := b.identity(r)
	return name != serviceLabel(b.svc.Name) || p != partOf
}

// identityWorkload is the object name and composition resource name of a
// Deployment whose pods carry another identity: the role's, followed by a
// hash of its selector. Each selector gets its own Deployment, under its
// own key, so Crossplane deletes the old one, whose selector cannot change,
// and creates the new one.
func (b *builder) identityWorkload(r role, selector map[string]string) (name, resource string) {
	var text strings.Builder
	for _, k := range slices.Sorted(maps.Keys(selector)) {
		text.WriteString(k + "=" + selector[k] + "\n")
	}
	digest := sha256.Sum256([]byte(text.String()))
	sum := hex.EncodeToString(digest[:])[:8]
	return workloadName(b.svc.Name, r.name+"-"+sum), r.resource() + "-" + sum
}

// userPodLabels are the role's spec.labels the pods carry as the user
// wrote them: all but the function's own keys.
func userPodLabels(r role) map[string]string {
	l := maps.Clone(r.w.Labels)
	for _, k := range ownedPodLabels {
		delete(l, k)
	}
	return l
}

// checkPodLabels refuses spec.labels that would change what the role's
// pods do (ownedPodLabels), or that would take them out of the
// InferencePool the service composes for them, which selects the
// service's identity unless the user's pool selector says otherwise.
func (b *builder) checkPodLabels(r role) field.ErrorList {
	p := r.path.Child("labels")
	var errs field.ErrorList
	own := map[string]string{labelComponent: r.component, labelKServe: "workload", labelRole: r.label}
	for _, k := range ownedPodLabels {
		if v, ok := r.w.Labels[k]; ok && v != own[k] {
			errs = append(errs, field.Invalid(p.Key(k), v, fmt.Sprintf(
				"the function sets %s on these pods to %q, which %s; remove the label", k, own[k], ownedLabelUse[k])))
		}
	}
	if !b.otherIdentity(r) || !b.managedScheduler() {
		return errs
	}
	if ps := b.svc.Spec.Router.Scheduler.Pool; ps != nil && ps.Spec != nil && len(ps.Spec.V1().MatchLabels) > 0 {
		return errs
	}
	for _, k := range []string{labelName, labelPartOf} {
		def := map[string]string{labelName: serviceLabel(b.svc.Name), labelPartOf: partOf}[k]
		if v, ok := r.w.Labels[k]; ok && v != def {
			errs = append(errs, field.Invalid(p.Key(k), v, fmt.Sprintf(
				"the pods would leave the InferencePool this service composes (spec.router.scheduler), which selects %s=%s: "+
					"remove the label to serve in this service's pool; remove spec.router.scheduler to serve in the pool of the service "+
					"whose pods carry it; or select the pods of both with spec.router.scheduler.pool.spec.selector.matchLabels", k, def)))
		}
	}
	return errs
}

// ownedLabelUse says what each of the function's pod labels is for.
var ownedLabelUse = map[string]string{
	labelComponent: "tells the service's workloads apart and is part of the workload's selector",
	labelKServe:    "marks the pods that serve, which the InferencePool and the workload Service select",
	labelRole:      "the endpoint picker's prefill and decode filters read",
}

// withPrefixes returns the entries of m whose key starts with one of
// prefixes.
func withPrefixes(m map[string]string, prefixes []string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = v
			}
		}
	}
	return out
}
