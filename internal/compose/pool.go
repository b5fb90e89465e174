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
// The user's scheduler.pool.spec is written in the v1alpha2 shape KServe's
// v1alpha1 API embeds; the fields it sets are translated and override the
// defaults one by one.
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
		overridePool(&ps, s.Pool.Spec)
	}
	return &giev1.InferencePool{
		TypeMeta:   metav1.TypeMeta{APIVersion: giev1.GroupVersion.String(), Kind: wiring.PoolKind},
		ObjectMeta: b.objectMeta(managedPoolName(b.svc.Name), componentScheduler),
		Spec:       ps,
	}
}

// overridePool translates the fields of a v1alpha2 pool spec the user set
// onto a v1 pool spec; spec.Validate has checked their values.
func overridePool(ps *giev1.InferencePoolSpec, u *spec.PoolSpec) {
	if len(u.Selector) > 0 {
		sel := make(map[giev1.LabelKey]giev1.LabelValue, len(u.Selector))
		for k, v := range u.Selector {
			sel[giev1.LabelKey(k)] = giev1.LabelValue(v)
		}
		ps.Selector.MatchLabels = sel
	}
	if n := u.TargetPortNumber; n != nil {
		ps.TargetPorts = []giev1.Port{{Number: giev1.PortNumber(*n)}}
	}
	r := u.ExtensionRef
	if r == nil {
		return
	}
	ref := ps.EndpointPickerRef
	if r.Group != nil {
		ref.Group = ptr.To(giev1.Group(*r.Group))
	}
	if r.Kind != nil {
		ref.Kind = giev1.Kind(*r.Kind)
	}
	if r.Name != "" {
		ref.Name = giev1.ObjectName(r.Name)
	}
	if n := r.PortNumber; n != nil {
		ref.Port = &giev1.Port{Number: giev1.PortNumber(*n)}
	}
	if m := r.FailureMode; m != nil {
		ref.FailureMode = giev1.EndpointPickerFailureMode(*m)
	}
}
