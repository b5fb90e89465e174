package compose

import (
	"fmt"
	"maps"
	"strconv"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	fnresource "github.com/crossplane/function-sdk-go/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// Composition resource names of the autoscalers. Each actuator has its own,
// so switching between HPA and KEDA makes Crossplane delete the old one, as
// KServe deletes the actuator the spec no longer asks for.
const (
	ResourceWorkloadHPA          = "workload-hpa"
	ResourcePrefillHPA           = "prefill-hpa"
	ResourceWorkloadScaledObject = "workload-scaledobject"
	ResourcePrefillScaledObject  = "prefill-scaledobject"
)

// WVA's contract: the annotations it discovers actuators by, the metric it
// publishes and the trigger that reads it. The metric's variant_name is the
// actuator's own name.
const (
	annotationWVAManaged     = "llm-d.ai/managed"
	annotationWVAModelID     = "llm-d.ai/model-id"
	annotationWVAVariantCost = "llm-d.ai/variant-cost"
	labelAcceleratorName     = "inference.optimization/acceleratorName"

	wvaMetric      = "wva_desired_replicas"
	wvaTriggerName = "wva-desired-replicas"
	// acceleratorUnknown is the accelerator label when spec.labels names
	// none, as KServe writes it.
	acceleratorUnknown = "unknown"
)

// Scaler is one composed autoscaler, for its condition.
type Scaler struct {
	// Resource is its composition resource name.
	Resource string
	// Prefill is true for the prefill workload's.
	Prefill bool
	// HPA is true for a HorizontalPodAutoscaler, false for a
	// ScaledObject.
	HPA bool
}

// scaler composes the autoscaler of role r, whose built workload is wl;
// nothing without spec.scaling. The errors are the Function input's
// shortcomings for this spec.
func (b *builder) scaler(r role, wl Object) (*Object, *Scaler, field.ErrorList) {
	s := r.w.Scaling
	if s == nil {
		return nil, nil, nil
	}
	gvk := wl.Object.GetObjectKind().GroupVersionKind()
	target := autoscalingv2.CrossVersionObjectReference{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind, Name: wl.Object.GetName()}
	var o Object
	hpa := false
	switch s.ScalingMode() {
	case "wva.hpa":
		o, hpa = Object{Name: fnresource.Name(r.scalerResource(true)), Object: b.wvaHPA(r, target)}, true
	case "wva.keda":
		if b.cfg.Prometheus == nil {
			return nil, nil, field.ErrorList{field.Required(r.path.Child("scaling", "wva", "keda"),
				"WVA with the KEDA actuator queries the platform's Prometheus, and the Function input names none: the platform sets input.autoscaling.prometheus.url, or use scaling.wva.hpa")}
		}
		o = Object{Name: fnresource.Name(r.scalerResource(false)), Object: b.wvaScaledObject(r, target)}
	case "keda":
		o = Object{Name: fnresource.Name(r.scalerResource(false)), Object: b.kedaScaledObject(r, target)}
	default:
		return nil, nil, nil // Validate refuses a scaling spec without a mode.
	}
	return &o, &Scaler{Resource: string(o.Name), Prefill: r.name == "prefill", HPA: hpa}, nil
}

// scalerResource is the role's autoscaler's composition resource name.
func (r role) scalerResource(hpa bool) string {
	switch {
	case r.name == "prefill" && hpa:
		return ResourcePrefillHPA
	case r.name == "prefill":
		return ResourcePrefillScaledObject
	case hpa:
		return ResourceWorkloadHPA
	default:
		return ResourceWorkloadScaledObject
	}
}

// scalerName is the autoscaler's object name: the workload's stem and the
// actuator, so WVA's variant_name tells the roles apart.
func (b *builder) scalerName(r role, suffix string) string {
	return workloadName(b.svc.Name, r.name+"-"+suffix)
}

// scalerMeta is an autoscaler's metadata. Both roles' autoscalers carry
// the workload component, as KServe's do; WVA's also carry the
// accelerator label and the annotations WVA discovers them by.
func (b *builder) scalerMeta(r role, name string, wva *spec.WVASpec) metav1.ObjectMeta {
	m := b.objectMeta(name, componentWorkload)
	if wva == nil {
		return m
	}
	acc := acceleratorUnknown
	if v, ok := r.w.Labels[labelAcceleratorName]; ok && v != "" {
		acc = v
	}
	m.Labels[labelAcceleratorName] = acc
	if m.Annotations == nil {
		m.Annotations = map[string]string{}
	}
	cost := wva.VariantCost
	if cost == "" {
		cost = spec.DefaultVariantCost
	}
	maps.Copy(m.Annotations, map[string]string{
		annotationWVAManaged: "true",
		// The served model name is the model_name label of vLLM's
		// metrics, which WVA reads the variant's load from.
		annotationWVAModelID:     b.svc.ServedModelName(),
		annotationWVAVariantCost: cost,
	})
	return m
}

// wvaHPA is WVA's HPA actuator: it follows the replicas WVA publishes as
// the external metric wva_desired_replicas{variant_name=<its name>}.
func (b *builder) wvaHPA(r role, target autoscalingv2.CrossVersionObjectReference) *autoscalingv2.HorizontalPodAutoscaler {
	s := r.w.Scaling
	name := b.scalerName(r, "hpa")
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: autoscalingv2.SchemeGroupVersion.String(), Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: b.scalerMeta(r, name, s.WVA),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: target,
			MinReplicas:    ptr.To(s.Min()),
			MaxReplicas:    s.MaxReplicas,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ExternalMetricSourceType,
				External: &autoscalingv2.ExternalMetricSource{
					Metric: autoscalingv2.MetricIdentifier{
						Name:     wvaMetric,
						Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"variant_name": name}},
					},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: ptr.To(resource.MustParse("1"))},
				},
			}},
			Behavior: s.WVA.HPA.Behavior,
		},
	}
}

// wvaScaledObject is WVA's KEDA actuator: a prometheus trigger on the
// replicas WVA publishes for this ScaledObject, in the platform's
// Prometheus.
func (b *builder) wvaScaledObject(r role, target autoscalingv2.CrossVersionObjectReference) *kedav1alpha1.ScaledObject {
	s := r.w.Scaling
	name := b.scalerName(r, "keda")
	pr := b.cfg.Prometheus
	trigger := kedav1alpha1.ScaleTriggers{
		Type: "prometheus",
		Name: wvaTriggerName,
		Metadata: map[string]string{
			"serverAddress": pr.URL,
			"query":         fmt.Sprintf(`%s{variant_name=%q,exported_namespace=%q}`, wvaMetric, name, b.svc.Namespace),
			"threshold":     "1",
			"unsafeSsl":     strconv.FormatBool(pr.TLSInsecureSkipVerify),
		},
	}
	if pr.AuthModes != "" {
		trigger.Metadata["authModes"] = pr.AuthModes
		trigger.AuthenticationRef = &kedav1alpha1.AuthenticationRef{Name: pr.TriggerAuthName, Kind: pr.TriggerAuthKind}
	}
	return b.scaledObject(b.scalerMeta(r, name, s.WVA), s, s.WVA.KEDA, target, []kedav1alpha1.ScaleTriggers{trigger})
}

// kedaScaledObject scales on the user's own triggers.
func (b *builder) kedaScaledObject(r role, target autoscalingv2.CrossVersionObjectReference) *kedav1alpha1.ScaledObject {
	s := r.w.Scaling
	return b.scaledObject(b.scalerMeta(r, b.scalerName(r, "keda"), nil), s, &s.KEDA.KEDAOptions, target, s.KEDA.Triggers)
}

// scaledObject is a ScaledObject with the spec's options.
func (b *builder) scaledObject(meta metav1.ObjectMeta, s *spec.ScalingSpec, k *spec.KEDAOptions, target autoscalingv2.CrossVersionObjectReference, triggers []kedav1alpha1.ScaleTriggers) *kedav1alpha1.ScaledObject {
	return &kedav1alpha1.ScaledObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: kedav1alpha1.SchemeGroupVersion.String(), Kind: "ScaledObject"},
		ObjectMeta: meta,
		Spec: kedav1alpha1.ScaledObjectSpec{
			ScaleTargetRef:        &kedav1alpha1.ScaleTarget{APIVersion: target.APIVersion, Kind: target.Kind, Name: target.Name},
			PollingInterval:       k.PollingInterval,
			InitialCooldownPeriod: k.InitialCooldownPeriod,
			CooldownPeriod:        k.CooldownPeriod,
			IdleReplicaCount:      k.IdleReplicaCount,
			MinReplicaCount:       ptr.To(s.Min()),
			MaxReplicaCount:       ptr.To(s.MaxReplicas),
			Advanced:              k.Advanced,
			Triggers:              triggers,
			Fallback:              k.Fallback,
		},
	}
}
