package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
	"google.golang.org/protobuf/types/known/durationpb"
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
	errDecode       = "cannot decode the LLMInferenceService spec"
	errInvalid      = "invalid LLMInferenceService"
	errNotYet       = "not supported by this version of the function"
	errFmtComposed  = "cannot compose %q"
	errStatus       = "cannot set the composite resource's status"
	errPanic        = "internal error, please report it as a bug"
)

// Condition types on the XR, in KServe's vocabulary.
const (
	condWorkloadsReady    = "WorkloadsReady"
	condMainWorkloadReady = "MainWorkloadReady"
)

// Function composes an LLMInferenceService.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
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

	specMap, _ := oxr.Resource.Object["spec"].(map[string]any)
	svc, err := spec.Decode(spec.Object{
		Name:        oxr.Resource.GetName(),
		Namespace:   oxr.Resource.GetNamespace(),
		Labels:      oxr.Resource.GetLabels(),
		Annotations: oxr.Resource.GetAnnotations(),
	}, specMap, cfg.Namespace)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errDecode))
		return rsp, nil
	}
	if errs := spec.Validate(&svc.Spec); len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(fieldErrors(errs), errInvalid))
		return rsp, nil
	}
	if errs := unsupported(&svc.Spec); len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(fieldErrors(errs), errNotYet))
		return rsp, nil
	}
	warnings := ignored(svc)
	for _, w := range warnings {
		response.Warning(rsp, errors.New(w)).TargetCompositeAndClaim()
	}

	res, errs := compose.Build(svc, cfg)
	if len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(fieldErrors(errs), errInvalid))
		return rsp, nil
	}

	observed, err := request.GetObservedComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errObserved))
		return rsp, nil
	}
	// Start from what earlier pipeline steps desired and add ours.
	desired, err := request.GetDesiredComposedResources(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errDesired))
		return rsp, nil
	}
	health := make(map[resource.Name]status.Health, len(res.Objects))
	allReady := true
	for _, o := range res.Objects {
		cd, err := compose.ToComposed(o.Object)
		if err != nil {
			response.Fatal(rsp, errors.Wrapf(err, errFmtComposed, o.Name))
			return rsp, nil
		}
		h := status.Observe(observed, o.Name)
		health[o.Name] = h
		ready := resource.ReadyFalse
		if h.Ready {
			ready = resource.ReadyTrue
		} else {
			allReady = false
		}
		desired[o.Name] = &resource.DesiredComposed{Resource: cd, Ready: ready}
	}
	if err := response.SetDesiredComposedResources(rsp, desired); err != nil {
		response.Fatal(rsp, errors.Wrap(err, errDesired))
		return rsp, nil
	}

	setConditions(rsp, health[compose.ResourceWorkload])

	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, errDesiredXR))
		return rsp, nil
	}
	if err := setStatus(dxr, res); err != nil {
		response.Fatal(rsp, errors.Wrap(err, errStatus))
		return rsp, nil
	}
	if err := response.SetDesiredCompositeResource(rsp, dxr); err != nil {
		response.Fatal(rsp, errors.Wrap(err, errStatus))
		return rsp, nil
	}

	ttl := cfg.UnreadyTTL
	if allReady {
		ttl = cfg.ReadyTTL
	}
	rsp.Meta.Ttl = durationpb.New(ttl)
	log.Debug("Composed LLMInferenceService", "resources", len(res.Objects), "ready", allReady, "warnings", len(warnings), "ttl", ttl.String())
	return rsp, nil
}

// setConditions reports, in KServe's vocabulary, what is not ready yet.
func setConditions(rsp *fnv1.RunFunctionResponse, main status.Health) {
	if main.Ready {
		response.ConditionTrue(rsp, condMainWorkloadReady, "Available").TargetCompositeAndClaim()
		response.ConditionTrue(rsp, condWorkloadsReady, "Available").TargetCompositeAndClaim()
		return
	}
	msg := "main workload: " + main.Message
	response.ConditionFalse(rsp, condMainWorkloadReady, main.Reason).WithMessage(main.Message).TargetCompositeAndClaim()
	response.ConditionFalse(rsp, condWorkloadsReady, main.Reason).WithMessage(msg).TargetCompositeAndClaim()
}

// setStatus writes the XR status the function owns. Crossplane applies it
// with server-side apply, so every field is set on every call.
func setStatus(dxr *resource.Composite, res *compose.Result) error {
	if err := dxr.Resource.SetString("status.url", res.ServiceURL); err != nil {
		return err
	}
	return dxr.Resource.SetValue("status.addresses", []any{map[string]any{"name": "workload", "url": res.ServiceURL}})
}

// unsupported lists the parts of the API that change what must be composed
// and that this version cannot compose yet. Ignoring them would compose
// something other than what was asked for, so they are refused.
func unsupported(s *spec.LLMInferenceServiceSpec) field.ErrorList {
	var errs field.ErrorList
	root := field.NewPath("spec")
	if s.Worker != nil {
		errs = append(errs, field.Forbidden(root.Child("worker"), "multi-node serving (LeaderWorkerSet) is not supported yet"))
	}
	if s.Prefill != nil {
		errs = append(errs, field.Forbidden(root.Child("prefill"), "prefill/decode disaggregation is not supported yet"))
	}
	if len(s.BaseRefs) > 0 {
		errs = append(errs, field.Forbidden(root.Child("baseRefs"), "base configurations are not supported yet"))
	}
	return errs
}

// ignored lists, as warnings, what is accepted but not acted on: fields of
// the spec that do not change the workload and whose resources a later
// version composes, and fields that are not part of the API at all.
func ignored(svc *spec.Service) []string {
	var w []string
	s := &svc.Spec
	if r := s.Router; r != nil {
		var parts []string
		if r.Scheduler != nil {
			parts = append(parts, "spec.router.scheduler (InferencePool, endpoint picker)")
		}
		if r.Gateway != nil {
			parts = append(parts, "spec.router.gateway (Gateway)")
		}
		if r.Route != nil {
			parts = append(parts, "spec.router.route (HTTPRoute)")
		}
		if r.Ingress != nil {
			parts = append(parts, "spec.router.ingress (KServe does not implement it either)")
		}
		if len(parts) > 0 {
			w = append(w, "accepted but not composed yet by this version of the function: "+strings.Join(parts, ", ")+"; the model is reachable in the cluster through the workload Service")
		}
	}
	if s.Model.Criticality != nil {
		w = append(w, "spec.model.criticality is accepted but has no effect until the endpoint picker is composed")
	}
	if len(svc.Unknown) > 0 {
		w = append(w, "ignored fields that are not part of the LLMInferenceService API: "+strings.Join(svc.Unknown, ", "))
	}
	return w
}

// fieldErrors joins field errors into one message that names every field.
func fieldErrors(errs field.ErrorList) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}
