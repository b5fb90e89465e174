package main

import (
	"context"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
	"google.golang.org/protobuf/types/known/durationpb"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
)

const (
	errInput        = "cannot get Function input"
	errInvalidInput = "invalid Function input"
	errObservedXR   = "cannot get observed composite resource"
	errDesiredXR    = "cannot get desired composite resource"
	errObserved     = "cannot get observed composed resources"
	errDesired      = "cannot get desired composed resources"
	errRefs         = "cannot read the objects spec.router references"
	errBaseRefs     = "cannot resolve the base configurations in spec.baseRefs"
	errLayers       = "cannot merge the layers of configuration"
	errNoSpec       = "the composite resource has no spec"
	errDecode       = "cannot decode the LLMInferenceService spec"
	errInvalid      = "invalid LLMInferenceService"
	errFmtComposed  = "cannot compose %q"
	errStatus       = "cannot set the composite resource's status"
	errPanic        = "internal error, please report it as a bug"
)

// Condition types on the XR, in KServe's vocabulary.
const (
	condWorkloadsReady             = "WorkloadsReady"
	condMainWorkloadReady          = "MainWorkloadReady"
	condWorkerWorkloadReady        = "WorkerWorkloadReady"
	condPrefillWorkloadReady       = "PrefillWorkloadReady"
	condPrefillWorkerWorkloadReady = "PrefillWorkerWorkloadReady"
)

// Function composes an LLMInferenceService.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
	// plans caches what was composed for a spec: Crossplane calls again
	// for every status change of every composed resource, with the same
	// spec almost every time.
	plans *planCache
}

// RunFunction reads the observed XR, resolves and validates its spec,
// composes the full desired set, and reports readiness and status. Any
// problem is a Fatal result: Crossplane then applies nothing and deletes
// nothing, so an invalid update never takes running workloads down.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (rsp *fnv1.RunFunctionResponse, _ error) {
	rsp = response.To(req, config.DefaultUnreadyTTL)

	// The SDK does not recover panics: one would kill the process and every
	// in-flight call with it. Report it on the XR instead.
	defer func() {
		if r := recover(); r != nil {
			f.log.Info("Recovered from panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			rsp = response.To(req, config.DefaultUnreadyTTL)
			response.Fatal(rsp, errors.Errorf("%s: %v", errPanic, r))
		}
	}()

	in := &v1beta1.Input{}
	if err := request.GetInput(req, in); err != nil {
		response.Fatal(rsp, errors.Wrap(err, errInput))
		return rsp, nil
	}
	cfg, errs := config.FromInput(in)
	if len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(fieldErrors(errs), errInvalidInput))
		return rsp, nil
	}

	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errObservedXR))
		return rsp, nil
	}
	log := f.log.WithValues("xr-apiversion", oxr.Resource.GetAPIVersion(), "xr-kind", oxr.Resource.GetKind(), "xr-name", oxr.Resource.GetName())

	xrSpec, ok := oxr.Resource.Object["spec"].(map[string]any)
	if !ok {
		response.Fatal(rsp, errors.New(errNoSpec))
		return rsp, nil
	}
	xrSpec = spec.WithoutCrossplaneFields(xrSpec)

	// Layers of configuration, lowest first: built-in presets for the
	// topology, the Function input's defaults, the base configurations
	// spec.baseRefs names, in order, then the XR's own spec. Everything
	// after this reads the merged spec, so a value from a base behaves
	// exactly like one written in the spec.
	bases, errs, err := resolveBaseRefs(req, xrSpec, cfg)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errBaseRefs))
		return rsp, nil
	}
	if len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(fieldErrors(errs), errBaseRefs))
		return rsp, nil
	}
	if bases.pending {
		// Crossplane reads what is asked for and calls again at once;
		// composing without a base now would compose something else.
		rsp.Requirements = &fnv1.Requirements{Resources: bases.selectors}
		log.Debug("Waiting for base configurations", "requirements", slices.Sorted(maps.Keys(bases.selectors)))
		return rsp, nil
	}
	p, err := f.plans.get(req, oxr, xrSpec, bases.layers, func() (*plan, error) {
		return makePlan(cfg, oxr, xrSpec, bases.layers)
	})
	if err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}
	svc, res := p.svc, p.res
	for _, w := range p.warnings {
		response.Warning(rsp, errors.New(w)).TargetCompositeAndClaim()
	}

	observed, err := request.GetObservedComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errObserved))
		return rsp, nil
	}
	refs, err := readReferences(req, svc)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errRefs))
		return rsp, nil
	}
	for k, v := range bases.selectors {
		// Keep asking for the EnvironmentConfigs: requirements that
		// change between calls make Crossplane iterate again.
		refs.selectors[k] = v
	}
	rsp.Requirements = refs.requirements()

	health := make(map[resource.Name]status.Health, len(res.Objects))
	for _, o := range res.Objects {
		health[o.Name] = status.Observe(observed, o.Name)
	}
	// A pool is accepted by the gateways whose routes use it. Without a
	// route no gateway ever will, and waiting for it would keep the XR
	// unready forever; KServe scopes the check to the gateways in use too.
	if h, ok := health[compose.ResourcePool]; ok && !h.Ready && !svc.Spec.Router.HasRoute() {
		if o, seen := observed[compose.ResourcePool]; seen && o.Resource != nil {
			health[compose.ResourcePool] = status.Health{Ready: true}
		}
	}

	// Add ours to what earlier pipeline steps desired, which response.To
	// carried over.
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.Desired.Resources == nil {
		rsp.Desired.Resources = map[string]*fnv1.Resource{}
	}
	allReady := true
	for _, o := range res.Objects {
		ready := fnv1.Ready_READY_FALSE
		if health[o.Name].Ready {
			ready = fnv1.Ready_READY_TRUE
		} else {
			allReady = false
		}
		rsp.Desired.Resources[string(o.Name)] = &fnv1.Resource{Resource: p.objects[o.Name], Ready: ready}
	}

	setWorkloadConditions(rsp, res.Workloads, health)
	routerReady := setRouterConditions(rsp, routerParts(svc, health, refs))

	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errDesiredXR))
		return rsp, nil
	}
	if !refs.ready() {
		// Crossplane derives the XR's readiness from what it composes;
		// a referenced Gateway, route or pool that is missing or unhealthy
		// must hold it back too.
		dxr.Ready = resource.ReadyFalse
		allReady = false
	}
	if err := setStatus(dxr, routeURLs(svc, observed, refs), res, cfg.GPUResource, p.layers); err != nil {
		response.Fatal(rsp, errors.Wrap(err, errStatus))
		return rsp, nil
	}
	if err := response.SetDesiredCompositeResource(rsp, dxr); err != nil {
		response.Fatal(rsp, errors.Wrap(err, errStatus))
		return rsp, nil
	}
	allReady = allReady && routerReady

	ttl := cfg.UnreadyTTL
	if allReady {
		ttl = cfg.ReadyTTL
	}
	rsp.Meta.Ttl = durationpb.New(ttl)
	log.Debug("Composed LLMInferenceService", "resources", len(res.Objects), "ready", allReady, "warnings", len(p.warnings), "ttl", ttl.String())
	return rsp, nil
}

// setWorkloadConditions reports each workload in KServe's vocabulary, and
// WorkloadsReady, the first of them that is not ready. A LeaderWorkerSet is
// available only when its leader and workers are, so its worker condition
// shares its health.
func setWorkloadConditions(rsp *fnv1.RunFunctionResponse, wls []compose.Workload, health map[resource.Name]status.Health) {
	type cond struct {
		typ, what string
		h         status.Health
	}
	var conds []cond
	for _, wl := range wls {
		h := health[resource.Name(wl.Resource)]
		switch {
		case !wl.Prefill:
			conds = append(conds, cond{condMainWorkloadReady, "main workload", h})
			if wl.MultiNode {
				conds = append(conds, cond{condWorkerWorkloadReady, "worker pods", h})
			}
		default:
			conds = append(conds, cond{condPrefillWorkloadReady, "prefill workload", h})
			if wl.MultiNode {
				conds = append(conds, cond{condPrefillWorkerWorkloadReady, "prefill worker pods", h})
			}
		}
	}
	var first *cond
	for i, c := range conds {
		if c.h.Ready {
			response.ConditionTrue(rsp, c.typ, "Available").TargetCompositeAndClaim()
			continue
		}
		response.ConditionFalse(rsp, c.typ, c.h.Reason).WithMessage(c.h.Message).TargetCompositeAndClaim()
		if first == nil {
			first = &conds[i]
		}
	}
	if first == nil {
		response.ConditionTrue(rsp, condWorkloadsReady, "Available").TargetCompositeAndClaim()
		return
	}
	response.ConditionFalse(rsp, condWorkloadsReady, first.h.Reason).WithMessage(first.what + ": " + first.h.Message).TargetCompositeAndClaim()
}

// setStatus writes the XR status the function owns. Crossplane applies it
// with server-side apply, so every field is set on every call. The URL is
// the first external address through a Gateway, else the first Gateway
// address, else the in-cluster workload Service.
func setStatus(dxr *resource.Composite, routeURLs []string, res *compose.Result, gpu corev1.ResourceName, layers []config.Layer) error {
	if err := dxr.Resource.SetValue("status.configurations", appliedConfigurations(layers)); err != nil {
		return err
	}
	serviceURL := res.ServiceURL
	url := status.PickURL(routeURLs)
	if url == "" {
		url = serviceURL
	}
	addrs := make([]any, 0, len(routeURLs)+1)
	for _, u := range routeURLs {
		addrs = append(addrs, map[string]any{"name": "gateway", "url": u})
	}
	addrs = append(addrs, map[string]any{"name": "workload", "url": serviceURL})
	if err := dxr.Resource.SetString("status.url", url); err != nil {
		return err
	}
	if err := dxr.Resource.SetValue("status.addresses", addrs); err != nil {
		return err
	}
	var main, prefill int64
	for _, wl := range res.Workloads {
		if wl.Prefill {
			prefill += wl.GPUs
		} else {
			main += wl.GPUs
		}
	}
	gpus := map[string]any{"resource": string(gpu), "total": main + prefill, "main": main}
	if prefill > 0 {
		gpus["prefill"] = prefill
	}
	return dxr.Resource.SetValue("status.gpus", gpus)
}

// fieldErrors joins field errors into one message that names every field.
func fieldErrors(errs field.ErrorList) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}
