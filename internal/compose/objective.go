package compose

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	llmdv1alpha2 "github.com/crossplane-contrib/function-llm-inference-service/internal/apis/llmd/v1alpha2"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// objectivePriority maps KServe's criticality onto the priority that
// replaced it in InferenceObjective. Under saturation the picker's flow
// control serves higher priorities first and sheds requests of negative
// priority rather than queue them, so Critical outranks the default (0) and
// Sheddable is what gets dropped.
var objectivePriority = map[spec.Criticality]int32{
	spec.CriticalityCritical:  1,
	spec.CriticalityStandard:  0,
	spec.CriticalitySheddable: -1,
}

// objective composes the InferenceObjective that carries
// spec.model.criticality to the picker of the service's pool, managed or
// referenced; nil without a criticality. A v1alpha2 manifest keeps the
// criticality in an annotation, which spec.Decode reads into the field.
func (b *builder) objective() (*llmdv1alpha2.InferenceObjective, field.ErrorList) {
	c := b.svc.Spec.Model.Criticality
	if c == nil {
		return nil, nil
	}
	prio, ok := objectivePriority[*c]
	if !ok {
		// spec.Validate refuses any other value: a guessed priority
		// would be worse than an error.
		return nil, field.ErrorList{field.InternalError(field.NewPath("spec", "model", "criticality"), fmt.Errorf("no priority for criticality %q", *c))}
	}
	return &llmdv1alpha2.InferenceObjective{
		TypeMeta:   metav1.TypeMeta{APIVersion: llmdv1alpha2.GroupVersion.String(), Kind: llmdv1alpha2.InferenceObjectiveKind},
		ObjectMeta: b.objectMeta(objectiveName(b.svc.Name), componentScheduler),
		Spec: llmdv1alpha2.InferenceObjectiveSpec{
			Priority: ptr.To(prio),
			PoolRef: llmdv1alpha2.PoolObjectReference{
				Group: giev1.GroupName,
				Kind:  wiring.PoolKind,
				Name:  b.poolName(),
			},
		},
	}, nil
}
