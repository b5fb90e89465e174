package spec

import (
	"regexp"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// variantCostPattern is KServe's pattern for wva.variantCost: a
// non-negative decimal.
var variantCostPattern = regexp.MustCompile(`^\d+(\.\d+)?$`)

// A scaling mode is how a workload autoscales: through WVA with one of its
// actuators, or KEDA on the user's triggers.
const (
	scalingModeWVAHPA  = "wva.hpa"
	scalingModeWVAKEDA = "wva.keda"
	scalingModeKEDA    = "keda"
)

// ScalingMode is which autoscaler the scaling spec asks for:
// "wva.hpa", "wva.keda", "keda", or "" when it names none (which Validate
// refuses).
func (s *ScalingSpec) ScalingMode() string {
	switch {
	case s == nil:
		return ""
	case s.WVA != nil && s.WVA.HPA != nil:
		return scalingModeWVAHPA
	case s.WVA != nil && s.WVA.KEDA != nil:
		return scalingModeWVAKEDA
	case s.KEDA != nil:
		return scalingModeKEDA
	}
	return ""
}

// Min is the replica floor while triggers are active: minReplicas,
// defaulting to 1 as KServe's CRD does.
func (s *ScalingSpec) Min() int32 { return ptr.Deref(s.MinReplicas, 1) }

// validateScaling checks one workload's scaling with KServe's CRD and
// webhook rules. p is the workload's path (spec or spec.prefill).
func validateScaling(w *WorkloadSpec, p *field.Path) field.ErrorList {
	s := w.Scaling
	if s == nil {
		return nil
	}
	sp := p.Child("scaling")
	var errs field.ErrorList
	if w.Replicas != nil {
		errs = append(errs, field.Forbidden(p.Child("replicas"),
			"replicas and scaling are mutually exclusive: with "+sp.String()+" the autoscaler owns the replicas; remove "+p.Child("replicas").String()+", or remove "+sp.String()+" for a fixed count"))
	}
	if s.MaxReplicas < 1 {
		errs = append(errs, field.Invalid(sp.Child("maxReplicas"), s.MaxReplicas, "is required and must be 1 or more: the most replicas the autoscaler may ask for"))
	}
	if s.MinReplicas != nil && *s.MinReplicas < 1 {
		errs = append(errs, field.Invalid(sp.Child("minReplicas"), *s.MinReplicas, "must be 1 or more; to scale to zero when idle, set keda.idleReplicaCount: 0"))
	}
	if s.MaxReplicas >= 1 && s.Min() > s.MaxReplicas {
		errs = append(errs, field.Invalid(sp.Child("minReplicas"), s.Min(), "minReplicas cannot exceed maxReplicas ("+itoa(s.MaxReplicas)+"): lower minReplicas or raise maxReplicas"))
	}
	switch {
	case s.WVA == nil && s.KEDA == nil:
		errs = append(errs, field.Required(sp, "either wva or keda must be specified when scaling is configured: wva: {hpa: {}} scales on llm-d's Workload Variant Autoscaler, keda: {triggers: [...]} on your own KEDA triggers"))
	case s.WVA != nil && s.KEDA != nil:
		errs = append(errs, field.Forbidden(sp.Child("keda"), "wva and keda are mutually exclusive: keep "+sp.Child("wva").String()+" (WVA decides, with its own actuator) or "+sp.Child("keda").String()+" (your triggers), not both"))
	}
	if s.WVA != nil {
		errs = append(errs, validateWVA(s, sp.Child("wva"))...)
	}
	if k := s.KEDA; k != nil {
		kp := sp.Child("keda")
		if len(k.Triggers) == 0 {
			errs = append(errs, field.Required(kp.Child("triggers"), "at least one trigger is required when using direct KEDA scaling; or use wva: {keda: {}} to scale on WVA's decisions"))
		}
		for i, t := range k.Triggers {
			if t.Type == "" {
				errs = append(errs, field.Required(kp.Child("triggers").Index(i).Child("type"), "the KEDA scaler, e.g. prometheus"))
			}
		}
		errs = append(errs, validateKEDAOptions(&k.KEDAOptions, s, kp)...)
	}
	return errs
}

// validateWVA checks the variant autoscaler's part of a scaling spec.
func validateWVA(s *ScalingSpec, p *field.Path) field.ErrorList {
	v := s.WVA
	var errs field.ErrorList
	if v.VariantCost != "" && !variantCostPattern.MatchString(v.VariantCost) {
		errs = append(errs, field.Invalid(p.Child("variantCost"), v.VariantCost, "must be a non-negative decimal such as \"10\" or \"0.5\""))
	}
	switch {
	case v.HPA == nil && v.KEDA == nil:
		errs = append(errs, field.Required(p, "either hpa or keda must be specified as the actuator backend: hpa: {} (needs a Prometheus Adapter serving wva_desired_replicas) or keda: {} (queries Prometheus itself)"))
	case v.HPA != nil && v.KEDA != nil:
		errs = append(errs, field.Forbidden(p.Child("keda"), "hpa and keda are mutually exclusive; choose one actuator backend: remove "+p.Child("hpa").String()+" or "+p.Child("keda").String()))
	}
	if k := v.KEDA; k != nil {
		kp := p.Child("keda")
		errs = append(errs, validateKEDAOptions(k, s, kp)...)
		if a := k.Advanced; a != nil {
			m := a.ScalingModifiers
			if m.Formula != "" || m.Target != "" || m.ActivationTarget != "" || m.MetricType != "" {
				errs = append(errs, field.Forbidden(kp.Child("advanced", "scalingModifiers"), "scalingModifiers must not be set; WVA controls the scaling metric formula and logic: remove it, or scale on your own triggers with scaling.keda instead of scaling.wva"))
			}
		}
	}
	return errs
}

// validateKEDAOptions checks the ScaledObject options of KEDA, direct or
// WVA's actuator.
func validateKEDAOptions(k *KEDAOptions, s *ScalingSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if k.PollingInterval != nil && *k.PollingInterval < 1 {
		errs = append(errs, field.Invalid(p.Child("pollingInterval"), *k.PollingInterval, "must be 1 second or more"))
	}
	for _, f := range []struct {
		name string
		v    *int32
	}{{"cooldownPeriod", k.CooldownPeriod}, {"initialCooldownPeriod", k.InitialCooldownPeriod}, {"idleReplicaCount", k.IdleReplicaCount}} {
		if f.v != nil && *f.v < 0 {
			errs = append(errs, field.Invalid(p.Child(f.name), *f.v, "must be 0 or more"))
		}
	}
	if i := k.IdleReplicaCount; i != nil && *i >= 0 && *i >= s.Min() {
		errs = append(errs, field.Invalid(p.Child("idleReplicaCount"), *i,
			"idleReplicaCount must be less than minReplicas ("+itoa(s.Min())+"); idleReplicaCount defines the replica floor when no triggers are active: lower it (0 scales to zero) or raise minReplicas"))
	}
	if f := k.Fallback; f != nil {
		if f.FailureThreshold < 0 {
			errs = append(errs, field.Invalid(p.Child("fallback", "failureThreshold"), f.FailureThreshold, "must be 0 or more"))
		}
		if f.Replicas < 0 {
			errs = append(errs, field.Invalid(p.Child("fallback", "replicas"), f.Replicas, "must be 0 or more"))
		}
	}
	if a := k.Advanced; a != nil && a.HorizontalPodAutoscalerConfig != nil && a.HorizontalPodAutoscalerConfig.Name != "" {
		errs = append(errs, field.Forbidden(p.Child("advanced", "horizontalPodAutoscalerConfig", "name"),
			"horizontalPodAutoscalerConfig.name must not be set; the controller manages the HPA name: remove it"))
	}
	return errs
}

// validateScalingModes checks KServe's webhook rule across workloads:
// decode and prefill must autoscale the same way (WVA or direct KEDA) and,
// under WVA, with the same actuator, since one WVA deployment serves both.
func validateScalingModes(s *LLMInferenceServiceSpec, root *field.Path) field.ErrorList {
	if s.Prefill == nil || s.Scaling == nil || s.Prefill.Scaling == nil {
		return nil
	}
	main, prefill := s.Scaling.ScalingMode(), s.Prefill.Scaling.ScalingMode()
	if main == "" || prefill == "" || main == prefill {
		return nil
	}
	return field.ErrorList{field.Invalid(root.Child("prefill", "scaling"), "scaling."+prefill,
		"decode and prefill must use the same scaling mode and actuator: "+root.Child("scaling").String()+" uses scaling."+main+"; use scaling."+main+" for the prefill workload too")}
}

func itoa(n int32) string { return strconv.FormatInt(int64(n), 10) }
