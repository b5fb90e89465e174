package compose

import (
	"maps"
	"strings"

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
