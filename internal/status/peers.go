package status

import (
	"encoding/json"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// A Peer is another LLMInferenceService of the service's namespace, as
// Crossplane read its XR: what route groups and model-name collisions need
// of it. Everything is read from the peer's own XR: its metadata, its spec
// as written (not merged with its base configurations, as KServe reads a
// peer's stored spec) and the status the function wrote on it.
type Peer struct {
	// Service is the peer's spec, decoded; its Name is the service's
	// (a claim's, for a legacy XR made for one).
	Service *spec.Service
	// Deleting is true once the peer's deletion has begun.
	Deleting bool
	// Stopped is true when the stop annotation stops the peer.
	Stopped bool
	// Routable is true when the peer serves: its WorkloadsReady condition
	// is True and every workload its status lists has ready replicas, the
	// main one at least. Not its Ready condition: that covers the peer's
	// own HTTPRoute, which changes whenever the group does, and until its
	// Gateway accepts the new generation the peer would read not ready,
	// its members would drop it, their routes would change in turn, and
	// the group would never settle.
	Routable bool
	// Models are the model names the peer serves, unqualified: its
	// status's addresses' models once it reports them, else its spec's.
	Models []string
}

// xrStatusView is the part of an XR's status a peer is read from.
type xrStatusView struct {
	Conditions []condition           `json:"conditions,omitempty"`
	Addresses  []spec.SourcedAddress `json:"addresses,omitempty"`
	Workloads  *spec.WorkloadStatus  `json:"workloads,omitempty"`
}

// PeerOf reads a peer from its XR. defaultNamespace is the Function
// input's namespace, for a cluster scoped XR not made for a claim.
func PeerOf(xr *unstructured.Unstructured, defaultNamespace string) (Peer, error) {
	raw, _ := xr.Object["spec"].(map[string]any)
	meta := spec.Object{Name: xr.GetName(), Namespace: xr.GetNamespace(), Labels: xr.GetLabels(), Annotations: xr.GetAnnotations()}
	svc, err := spec.Decode(meta, spec.WithoutCrossplaneFields(raw), defaultNamespace)
	if err != nil {
		return Peer{}, errors.Wrapf(err, "cannot decode the spec of %s", xr.GetName())
	}
	var st xrStatusView
	if s, ok := xr.Object["status"]; ok {
		b, err := json.Marshal(s)
		if err != nil {
			return Peer{}, errors.Wrapf(err, "cannot read the status of %s", xr.GetName())
		}
		// A status the peer's own function has not written yet, or one
		// in another shape, is a peer that is not routable.
		_ = json.Unmarshal(b, &st)
	}
	p := Peer{
		Service:  svc,
		Deleting: xr.GetDeletionTimestamp() != nil,
		Stopped:  spec.Stopped(xr.GetAnnotations()),
		Routable: conditionTrue(st.Conditions, TypeWorkloadsReady) && workloadsServe(st.Workloads),
		Models:   reportedModels(svc.Namespace, st.Addresses),
	}
	if len(p.Models) == 0 {
		p.Models = serviceModels(svc)
	}
	return p, nil
}

func conditionTrue(conds []condition, typ string) bool {
	return slices.ContainsFunc(conds, func(c condition) bool { return c.Type == typ && c.Status == "True" })
}

// workloadsServe is true when the main workload and every other workload
// listed have ready replicas.
func workloadsServe(w *spec.WorkloadStatus) bool {
	ready := func(o *spec.ObservedWorkload) bool { return o != nil && o.ReadyReplicas != nil && *o.ReadyReplicas > 0 }
	if w == nil || !ready(w.Primary) {
		return false
	}
	return (w.Prefill == nil || ready(w.Prefill)) && (w.Scheduler == nil || ready(w.Scheduler))
}

// reportedModels are the model names of every address, unqualified
// (publishers/<namespace>/models/<model> is model), sorted, each once:
// the names a service serves, in whichever form each address lists them.
func reportedModels(namespace string, addrs []spec.SourcedAddress) []string {
	var out []string
	for _, a := range addrs {
		for _, m := range a.Models {
			n, _ := wiring.ModelNameIn(namespace, m.Name)
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// serviceModels are the names a service serves by its spec: the served
// model name and each LoRA adapter's, sorted, each once.
func serviceModels(svc *spec.Service) []string {
	out := modelNames(svc)
	slices.Sort(out)
	return slices.Compact(out)
}
