package compose

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Composition resource names: the keys Crossplane tracks composed resources
// by. A kind that replaces another (Deployment and LeaderWorkerSet) gets a
// different key, so Crossplane deletes the old one when the topology changes.
const (
	ResourceWorkload        = "workload-deployment"
	ResourceWorkloadService = "workload-service"
)

// Result is everything composed for one service.
type Result struct {
	// Objects in a stable order.
	Objects []Object
	// Workloads are the model-server workloads, main first.
	Workloads []Workload
	// Scalers are the workloads' autoscalers, main first: one per
	// workload with spec.scaling.
	Scalers []Scaler
	// ServiceURL is the in-cluster URL of the workload Service.
	ServiceURL string
	// ModelNames are the names the model servers answer to: the served
	// model name and, with model-based routing, its fully qualified
	// name, then each LoRA adapter's, in the spec's order. The status
	// lists them with the addresses that reach them.
	ModelNames []string
	// GPUResource is what the Workloads' GPUs are counted in: the Function
	// input's extended resource, or the managed DRA DeviceClass.
	GPUResource corev1.ResourceName
	// PodSets are the pods of the model-server workloads, main first, and
	// of the picker: what is read to say why one is not ready.
	PodSets []PodSet
}

// builder carries what every builder needs.
type builder struct {
	svc *spec.Service
	cfg config.Config
	// flagFields say where the user's vLLM flags of each role's pods are
	// written, by role name (see recordFlags).
	flagFields map[string]map[string]string
}

// Build composes the objects for a validated service. The errors it returns
// are field errors a user can act on: wrong GPU counts, malformed templates,
// inline credentials, pods the Pod Security profile refuses, objects over
// the API server's limits.
func Build(svc *spec.Service, cfg config.Config) (*Result, field.ErrorList) {
	b := &builder{svc: svc, cfg: cfg}
	res := &Result{}
	var errs field.ErrorList
	for _, r := range b.roles() {
		o, wl, e := b.workload(r)
		if len(e) > 0 {
			errs = append(errs, e...)
			continue
		}
		res.Objects = append(res.Objects, o)
		res.Workloads = append(res.Workloads, wl)
		res.PodSets = append(res.PodSets, b.rolePodSet(r, wl.Resource))
		so, sc, e := b.scaler(r, o)
		errs = append(errs, e...)
		if so != nil {
			res.Objects = append(res.Objects, *so)
			res.Scalers = append(res.Scalers, *sc)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if o, ok := b.managedDRATemplate(); ok {
		res.Objects = append(res.Objects, o)
	}
	res.GPUResource = b.gpuResource()
	svcObj := b.workloadService()
	res.Objects = append(res.Objects, Object{Name: ResourceWorkloadService, Object: svcObj})
	r, errs := b.router()
	if len(errs) > 0 {
		return nil, errs
	}
	res.Objects = append(res.Objects, r...)
	if slices.ContainsFunc(r, func(o Object) bool { return o.Name == ResourcePickerDeployment }) {
		res.PodSets = append(res.PodSets, b.pickerPodSet())
	}
	if slices.ContainsFunc(r, func(o Object) bool { return o.Name == ResourceTokenizerDeployment }) {
		res.PodSets = append(res.PodSets, b.tokenizerPodSet())
	}
	res.Objects = append(res.Objects, b.podMonitors()...)
	res.Objects = append(res.Objects, b.networkPolicies(res)...)
	keepLogs(res.Objects)
	if errs := b.checkComposed(res.Objects); len(errs) > 0 {
		return nil, errs
	}
	res.ServiceURL = serviceURL(svcObj.Name, svcObj.Namespace, wiring.ModelServerPort)
	res.ModelNames = b.servedNames()
	return res, nil
}
