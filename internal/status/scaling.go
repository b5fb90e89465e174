package status

import (
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
)

// Conditions of the autoscalers, and KServe's reasons for them.
const (
	TypeScalingReady        = "ScalingReady"
	TypePrefillScalingReady = "PrefillScalingReady"

	ReasonHPAProgressing          = "HPAProgressing"
	ReasonScaledObjectProgressing = "ScaledObjectProgressing"
)

// hpaHealth is KServe's reading of an HPA: not ready while it reports no
// conditions, or while AbleToScale or ScalingActive is False (then with
// that condition's reason: FailedGetExternalMetric when no Prometheus
// Adapter serves wva_desired_replicas). ScalingLimited only says the
// bounds hold it, which is no fault.
func hpaHealth(o *composed.Unstructured) Health {
	var conds []condition
	_ = o.GetValueInto("status.conditions", &conds)
	if len(conds) == 0 {
		return Health{Reason: ReasonHPAProgressing, Message: "the HorizontalPodAutoscaler controller reports no conditions yet"}
	}
	for _, typ := range []string{"AbleToScale", "ScalingActive"} {
		for _, c := range conds {
			if c.Type != typ || c.Status != "False" {
				continue
			}
			h := Health{Reason: c.Reason, Message: c.Message}
			if h.Reason == "" {
				h.Reason = ReasonHPAProgressing
			}
			if h.Message == "" {
				h.Message = typ + " is False"
			}
			return h
		}
	}
	return Health{Ready: true}
}

// scaledObjectHealth is KServe's reading of a ScaledObject: ready when
// KEDA reports Ready True, not ready with KEDA's reason when it reports
// Ready False, and progressing until it reports either.
func scaledObjectHealth(o *composed.Unstructured) Health {
	var conds []condition
	_ = o.GetValueInto("status.conditions", &conds)
	for _, c := range conds {
		if c.Type != "Ready" {
			continue
		}
		switch c.Status {
		case "True":
			return Health{Ready: true}
		case "False":
			h := Health{Reason: c.Reason, Message: c.Message}
			if h.Reason == "" {
				h.Reason = ReasonScaledObjectProgressing
			}
			if h.Message == "" {
				h.Message = "Ready is False"
			}
			return h
		}
	}
	return Health{Reason: ReasonScaledObjectProgressing, Message: "KEDA reports no Ready condition yet"}
}

// scalingParts are the autoscalers' conditions, main first. One not
// observed yet is progressing, in the reason of its kind, as KServe reports
// an actuator it has not found.
func scalingParts(scalers []compose.Scaler, health map[resource.Name]Health) []part {
	parts := make([]part, 0, len(scalers))
	for _, s := range scalers {
		h := health[resource.Name(s.Resource)]
		if h == notCreated {
			h.Reason = ReasonScaledObjectProgressing
			if s.HPA {
				h.Reason = ReasonHPAProgressing
			}
		}
		typ, label := TypeScalingReady, "main workload's autoscaler"
		if s.Prefill {
			typ, label = TypePrefillScalingReady, "prefill workload's autoscaler"
		}
		parts = append(parts, part{typ: typ, label: label, items: []item{{health: h}}})
	}
	return parts
}
