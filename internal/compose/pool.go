package compose

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// poolSelector selects every model-server pod of the service, both roles
// once prefill exists, and never the endpoint picker: the same labels the
// workload Service selects on. llm-d.ai/role is deliberately not part of it,
// so prefill and decode pods share one pool and the picker's role filters
// choose between them.
func (b *builder) poolSelector() map[string]string {
	return map[string]string{
		labelName:   serviceLabel(b.svc.Name),
		labelPartOf: partOf,
		labelKServe: "workload",
	}
}

// pool composes the managed InferencePool (inference.networking.k8s.io/v1).
// The user's scheduler.pool.spec, written in the shape of either API
// version, is read in the v1 shape (spec.PoolSpec.V1); the fields it sets
// override the defaults one by one.
func (b *builder) pool() *giev1.InferencePool {
	sel := map[giev1.LabelKey]giev1.LabelValue{}
	for k, v := range b.poolSelector() {
		sel[giev1.LabelKey(k)] = giev1.LabelValue(v)
	}
	ps := giev1.InferencePoolSpec{
		Selector:    giev1.LabelSelector{MatchLabels: sel},
		TargetPorts: []giev1.Port{{Number: wiring.ModelServerPort}},
		AppProtocol: giev1.AppProtocolHTTP,
		EndpointPickerRef: &giev1.EndpointPickerRef{
			Name:        giev1.ObjectName(pickerName(b.svc.Name)),
			Port:        &giev1.Port{Number: wiring.PickerGRPCPort},
			FailureMode: giev1.EndpointPickerFailureMode(b.cfg.FailureMode),
		},
	}
	if s := b.svc.Spec.Router.Scheduler; s.Pool != nil && s.Pool.Spec != nil {
		overridePool(&ps, s.Pool.Spec.V1())
	}
	return &giev1.InferencePool{
		TypeMeta:   metav1.TypeMeta{APIVersion: giev1.GroupVersion.String(), Kind: wiring.PoolKind},
		ObjectMeta: b.objectMeta(managedPoolName(b.svc.Name), componentScheduler),
		Spec:       ps,
	}
}

// overridePool sets the fields of the user's pool spec, in the v1 shape,
// over the composed one; spec.Validate has checked their values.
func overridePool(ps *giev1.InferencePoolSpec, u spec.PoolOverrides) {
	if len(u.MatchLabels) > 0 {
		sel := make(map[giev1.LabelKey]giev1.LabelValue, len(u.MatchLabels))
		for k, v := range u.MatchLabels {
			sel[giev1.LabelKey(k)] = giev1.LabelValue(v)
		}
		ps.Selector.MatchLabels = sel
	}
	if len(u.TargetPorts) > 0 {
		ps.TargetPorts = append([]giev1.Port(nil), u.TargetPorts...)
	}
	if u.AppProtocol != "" {
		ps.AppProtocol = u.AppProtocol
	}
	r := u.EndpointPicker
	if r == nil {
		return
	}
	ref := ps.EndpointPickerRef
	if r.Group != nil {
		ref.Group = ptr.To(*r.Group)
	}
	if r.Kind != "" {
		ref.Kind = r.Kind
	}
	if r.Name != "" {
		ref.Name = r.Name
	}
	if r.Port != nil {
		ref.Port = &giev1.Port{Number: r.Port.Number}
	}
	if r.FailureMode != "" {
		ref.FailureMode = r.FailureMode
	}
}
