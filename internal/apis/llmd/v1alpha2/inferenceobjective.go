package v1alpha2

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// InferenceObjective tells the endpoint picker of one InferencePool how
// important the requests that name it are. Requests name an objective with
// the x-llm-d-inference-objective header.
type InferenceObjective struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec InferenceObjectiveSpec `json:"spec,omitempty"`
}

// InferenceObjectiveSpec is the desired state of an InferenceObjective.
type InferenceObjectiveSpec struct {
	// Priority orders requests under flow control: higher is served first,
	// and unset means 0.
	Priority *int32 `json:"priority,omitempty"`

	// PoolRef is the InferencePool whose endpoint picker applies the
	// objective.
	PoolRef PoolObjectReference `json:"poolRef"`
}

// PoolObjectReference names an InferencePool in the objective's namespace.
type PoolObjectReference struct {
	// Group of the pool; the CRD defaults it to inference.networking.k8s.io.
	Group string `json:"group,omitempty"`
	// Kind of the pool; the CRD defaults it to InferencePool.
	Kind string `json:"kind,omitempty"`
	// Name of the pool.
	Name string `json:"name"`
}
