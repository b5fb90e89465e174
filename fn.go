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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
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

// Function composes an LLMInferenceService.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
	// plans caches what was composed for a spec: Crossplane calls again
	// for every status change of every composed resource, with the same
	// spec almost every time.
	plans *planCache
	// preEncoded answers each composed resource with the bytes its plan
	// encoded once (fn_encoded.go), as the served binary does. Callers in
	// this process that read responses as messages leave it false.
	preEncoded bool
	// decodeAllObserved decodes every field of the observed composed
	// resources, not only those the status reads (fn_observed.go): for
	// the test that proves it reads nothing else.
	decodeAllObserved bool
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

	p, bases, err := f.resolve(req, oxr, cfg)
	if err != nil && spec.Stopped(oxr.Resource.GetAnnotations()) {
		return f.stoppedInvalid(req, rsp, oxr, cfg, err)
	}
	if err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}
	if p == nil {
		// Crossplane reads what is asked for and calls again at once;
		// composing without a base now would compose something else.
		rsp.Requirements = &fnv1.Requirements{Resources: bases.selectors}
		log.Debug("Waiting for base configurations", "requirements", slices.Sorted(maps.Keys(bases.selectors)))
		return rsp, nil
	}
	for _, w := range p.warnings {
		response.Warning(rsp, errors.New(w)).TargetCompositeAndClaim()
	}

	observed := observedComposed(req, f.decodeAllObserved)
	refs, err := readReferences(req, p.svc)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errRefs))
		return rsp, nil
	}
	diagnoses, pods := readPods(req, p, cfg, observed)
	ps, route, err := readPeersAndRoute(req, oxr, p, cfg, refs)
	if err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}
	// Keep asking for the base configurations: requirements that change
	// between calls make Crossplane iterate again.
	maps.Copy(refs.selectors, bases.selectors)
	maps.Copy(refs.selectors, pods)
	if ps.selector != nil {
		refs.selectors[requirementPeers] = ps.selector
	}
	rsp.Requirements = refs.requirements()

	out := status.Compute(status.Input{
		Composed: p.res, Service: p.svc, Observed: observed, Refs: refs.References, Layers: p.layers, GPUResource: p.res.GPUResource,
		Stopped: p.stopped, Previous: conditionTypes(oxr), Diagnoses: diagnoses, Peers: ps.list,
	})
	if err := desire(rsp, p, out.Resources, f.preEncoded, route); err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}
	for _, c := range out.Conditions {
		setCondition(rsp, c)
	}
	if ps.warning != "" {
		out.Warnings = append(out.Warnings, ps.warning)
	}
	for _, w := range out.Warnings {
		response.Warning(rsp, errors.New(w)).TargetCompositeAndClaim()
	}
	if err := setComposite(req, rsp, out); err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}

	ttl := cfg.UnreadyTTL
	if out.Ready || out.Stopped {
		// A stopped service waits for nothing.
		ttl = cfg.ReadyTTL
	}
	rsp.Meta.Ttl = durationpb.New(ttl)
	log.Debug("Composed LLMInferenceService", "resources", len(p.desired.Objects), "ready", out.Ready, "stopped", out.Stopped, "warnings", len(p.warnings), "ttl", ttl.String())
	return rsp, nil
}

// resolve reads the XR's spec and the base configurations it names, and
// returns what is composed for them: no plan, and the bases to ask for,
// until Crossplane has read every base. Its error is the Fatal result's
// message.
func (f *Function) resolve(req *fnv1.RunFunctionRequest, oxr *resource.Composite, cfg config.Config) (*plan, *baseConfigs, error) {
	xrSpec, ok := oxr.Resource.Object["spec"].(map[string]any)
	if !ok {
		return nil, nil, errors.New(errNoSpec)
	}
	xrSpec = spec.WithoutCrossplaneFields(xrSpec)

	// Layers of configuration, lowest first: built-in presets for the
	// topology, the Function input's defaults, the base configurations
	// spec.baseRefs names, in order, then the XR's own spec. Everything
	// after this reads the merged spec, so a value from a base behaves
	// exactly like one written in the spec.
	bases, errs, err := resolveBaseRefs(req, oxr, xrSpec, cfg)
	if err != nil {
		return nil, nil, errors.Wrap(err, errBaseRefs)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Wrap(fieldErrors(errs), errBaseRefs)
	}
	if bases.pending {
		return nil, bases, nil
	}
	ref, errs, err := readPickerConfigRef(req, oxr, xrSpec, bases.layers, cfg)
	if err != nil {
		return nil, nil, errors.Wrap(err, errPickerConfigRef)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Wrap(fieldErrors(errs), errPickerConfigRef)
	}
	// Asked for on every call, with the bases, so the requirements settle.
	maps.Copy(bases.selectors, ref.selectors)
	if ref.pending {
		return nil, bases, nil
	}
	p, err := f.plans.get(req, oxr, xrSpec, bases.layers, ref.text, func() (*plan, error) {
		return makePlan(cfg, oxr, xrSpec, bases.layers, ref.text)
	})
	return p, bases, err
}

// desire adds the composed resources, with their readiness, to what earlier
// pipeline steps desired, which response.To carried over.
// route, when not nil, is the managed HTTPRoute as finishRoute encoded it
// for this call.
func desire(rsp *fnv1.RunFunctionResponse, p *plan, ready map[resource.Name]bool, preEncoded bool, route []byte) error {
	if rsp.Desired == nil {
		rsp.Desired = &fnv1.State{}
	}
	if rsp.Desired.Resources == nil {
		rsp.Desired.Resources = map[string]*fnv1.Resource{}
	}
	for _, o := range p.desired.Objects {
		r := fnv1.Ready_READY_FALSE
		if ready[o.Name] {
			r = fnv1.Ready_READY_TRUE
		}
		b := p.encoded[o.Name]
		if o.Name == compose.ResourceRoute && route != nil {
			b = route
		}
		d, err := desiredResource(b, r, preEncoded)
		if err != nil {
			return errors.Wrapf(err, errFmtComposed, o.Name)
		}
		rsp.Desired.Resources[string(o.Name)] = d
	}
	return nil
}

// setComposite writes the XR's readiness and status.
func setComposite(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, out status.Output) error {
	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		return errors.Wrap(err, errDesiredXR)
	}
	if !out.RefsReady || out.Stopped {
		// Crossplane derives the XR's readiness from what it composes;
		// a referenced Gateway, route or pool that is missing or unhealthy
		// must hold it back too, and so must a stop, which composes
		// nothing that could be unready.
		dxr.Ready = resource.ReadyFalse
	}
	if err := setStatus(dxr, out.Status); err != nil {
		return errors.Wrap(err, errStatus)
	}
	return errors.Wrap(response.SetDesiredCompositeResource(rsp, dxr), errStatus)
}

// setCondition reports a condition on the XR and its claim; one that is not
// True says why.
func setCondition(rsp *fnv1.RunFunctionResponse, c status.Condition) {
	if c.Status == metav1.ConditionTrue && c.Message == "" {
		response.ConditionTrue(rsp, c.Type, c.Reason).TargetCompositeAndClaim()
		return
	}
	if c.Status == metav1.ConditionTrue {
		// A True condition that reports a problem (GroupDegraded,
		// ModelNameCollision) says what it is.
		response.ConditionTrue(rsp, c.Type, c.Reason).WithMessage(c.Message).TargetCompositeAndClaim()
		return
	}
	response.ConditionFalse(rsp, c.Type, c.Reason).WithMessage(c.Message).TargetCompositeAndClaim()
}

// setStatus writes the status fields the function owns (the top-level
// fields of spec.LLMInferenceServiceStatus) and leaves the rest to earlier
// steps. Crossplane applies the XR's status with server-side apply, so a
// field left out is removed: Compute fills every one it has a value for on
// every call. Nulls are dropped: a nil pointer the API types write without
// omitempty (a core object reference's apiGroup) means "not set", and in an
// apply null would mean "remove".
func setStatus(dxr *resource.Composite, s spec.LLMInferenceServiceStatus) error {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&s)
	if err != nil {
		return err
	}
	dropNulls(m)
	// The converter's output is already what an unstructured object holds
	// (maps, slices, strings, int64, float64, bools), so the fields are
	// set in place: SetValue would round-trip each through JSON, which
	// for the addresses and the router was a tenth of a cached call.
	st, ok := dxr.Resource.Object["status"].(map[string]any)
	if !ok {
		st = make(map[string]any, len(m))
		dxr.Resource.Object["status"] = st
	}
	maps.Copy(st, m)
	return nil
}

// dropNulls removes null values from m, recursively.
func dropNulls(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			dropNulls(e)
		}
	case []any:
		for _, e := range t {
			dropNulls(e)
		}
	}
}

// fieldErrors joins field errors into one message that names every field.
func fieldErrors(errs field.ErrorList) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}
