package spec

import (
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// ScalingSpec is KServe's v1alpha2 spec.scaling (and spec.prefill.scaling):
// an autoscaler owns the workload's replicas between minReplicas and
// maxReplicas. Either llm-d's Workload Variant Autoscaler (WVA) decides the
// replicas, actuated by an HPA or a KEDA ScaledObject, or KEDA scales on the
// user's own triggers. The rules are KServe's CRD rules; spec.Validate
// checks them too, with messages that name the field. KServe's rules that
// minReplicas be set with idleReplicaCount are left out: minReplicas
// defaults to 1, so they can never fail.
//
// +kubebuilder:validation:XValidation:rule="has(self.wva) || has(self.keda)",message="either wva or keda must be specified when scaling is configured"
// +kubebuilder:validation:XValidation:rule="!(has(self.wva) && has(self.keda))",message="wva and keda are mutually exclusive"
// +kubebuilder:validation:XValidation:rule="!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",message="minReplicas cannot exceed maxReplicas"
// +kubebuilder:validation:XValidation:rule="!has(self.wva) || !has(self.wva.keda) || !has(self.wva.keda.idleReplicaCount) || !has(self.minReplicas) || self.wva.keda.idleReplicaCount < self.minReplicas",message="idleReplicaCount must be less than minReplicas; idleReplicaCount defines the replica floor when no triggers are active"
// +kubebuilder:validation:XValidation:rule="!has(self.keda) || !has(self.keda.idleReplicaCount) || !has(self.minReplicas) || self.keda.idleReplicaCount < self.minReplicas",message="idleReplicaCount must be less than minReplicas; idleReplicaCount defines the replica floor when no triggers are active"
type ScalingSpec struct {
	// MinReplicas is the fewest replicas while triggers are active;
	// defaults to 1. KEDA's idleReplicaCount goes below it when idle.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	MinReplicas *int32 `json:"minReplicas,omitempty"`

	// MaxReplicas is the most replicas the autoscaler may ask for.
	// +kubebuilder:validation:Minimum=1
	MaxReplicas int32 `json:"maxReplicas"`

	// WVA scales on the replicas llm-d's Workload Variant Autoscaler
	// publishes as the metric wva_desired_replicas.
	// +optional
	WVA *WVASpec `json:"wva,omitempty"`

	// KEDA scales with a ScaledObject on the triggers given here.
	// +optional
	KEDA *KEDAScalingSpec `json:"keda,omitempty"`
}

// DefaultVariantCost is the cost per replica WVA is told when
// wva.variantCost is unset, KServe's CRD default.
const DefaultVariantCost = "10.0"

// WVASpec configures the Workload Variant Autoscaler and which object
// actuates its decisions: an HPA or a KEDA ScaledObject.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.hpa) && has(self.keda))",message="hpa and keda are mutually exclusive; choose one actuator backend"
// +kubebuilder:validation:XValidation:rule="has(self.hpa) || has(self.keda)",message="either hpa or keda must be specified as the actuator backend"
// +kubebuilder:validation:XValidation:rule="!has(self.keda) || !has(self.keda.advanced) || !has(self.keda.advanced.scalingModifiers) || ((!has(self.keda.advanced.scalingModifiers.formula) || size(self.keda.advanced.scalingModifiers.formula) == 0) && (!has(self.keda.advanced.scalingModifiers.target) || size(self.keda.advanced.scalingModifiers.target) == 0) && (!has(self.keda.advanced.scalingModifiers.activationTarget) || size(self.keda.advanced.scalingModifiers.activationTarget) == 0) && (!has(self.keda.advanced.scalingModifiers.metricType) || size(self.keda.advanced.scalingModifiers.metricType) == 0))",message="scalingModifiers must not be set; WVA controls the scaling metric formula and logic"
type WVASpec struct {
	// VariantCost is the cost of one replica of this variant, a
	// non-negative decimal such as "10.0"; defaults to 10.0.
	// +optional
	// +kubebuilder:validation:Pattern=`^\d+(\.\d+)?$`
	// +kubebuilder:default="10.0"
	VariantCost string `json:"variantCost,omitempty"`

	// HPA actuates with a HorizontalPodAutoscaler on the external metric
	// wva_desired_replicas (a Prometheus Adapter must serve it).
	// +optional
	HPA *HPAScalingSpec `json:"hpa,omitempty"`

	// KEDA actuates with a ScaledObject querying Prometheus for
	// wva_desired_replicas (the Function input's prometheus settings).
	// +optional
	KEDA *KEDAOptions `json:"keda,omitempty"`
}

// HPAScalingSpec configures the HorizontalPodAutoscaler.
type HPAScalingSpec struct {
	// Behavior of scale up and scale down.
	// +optional
	Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
}

// KEDAOptions are the ScaledObject fields a service may set, KEDA's own
// types.
//
// +kubebuilder:validation:XValidation:rule="!has(self.advanced) || !has(self.advanced.horizontalPodAutoscalerConfig) || !has(self.advanced.horizontalPodAutoscalerConfig.name) || size(self.advanced.horizontalPodAutoscalerConfig.name) == 0",message="horizontalPodAutoscalerConfig.name must not be set; the controller manages the HPA name"
type KEDAOptions struct {
	// PollingInterval is how often, in seconds, KEDA checks each trigger.
	// +optional
	// +kubebuilder:validation:Minimum=1
	PollingInterval *int32 `json:"pollingInterval,omitempty"`

	// CooldownPeriod is how long, in seconds, after the last active
	// trigger KEDA waits before scaling to the idle replica count.
	// +optional
	// +kubebuilder:validation:Minimum=0
	CooldownPeriod *int32 `json:"cooldownPeriod,omitempty"`

	// InitialCooldownPeriod is how long, in seconds, after the
	// ScaledObject is created KEDA waits before it may scale down: time
	// for the model to load.
	// +optional
	// +kubebuilder:validation:Minimum=0
	InitialCooldownPeriod *int32 `json:"initialCooldownPeriod,omitempty"`

	// IdleReplicaCount is the replicas when no trigger is active; below
	// minReplicas, 0 to scale to zero.
	// +optional
	// +kubebuilder:validation:Minimum=0
	IdleReplicaCount *int32 `json:"idleReplicaCount,omitempty"`

	// Fallback is the replica count to hold while the triggers fail.
	// +optional
	Fallback *kedav1alpha1.Fallback `json:"fallback,omitempty"`

	// Advanced ScaledObject options: the HPA's behaviour, restoring the
	// replicas on deletion.
	// +optional
	Advanced *kedav1alpha1.AdvancedConfig `json:"advanced,omitempty"`
}

// KEDAScalingSpec scales with KEDA directly, on the user's triggers.
type KEDAScalingSpec struct {
	// Triggers of the ScaledObject, as KEDA takes them.
	// +kubebuilder:validation:MinItems=1
	Triggers []kedav1alpha1.ScaleTriggers `json:"triggers"`

	KEDAOptions `json:",inline"`
}
