package main

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
)

const errStoppedInvalid = "the service is stopped (" + spec.AnnotationStop + `: "true"), so nothing runs, but its configuration is invalid and starting it will be refused until it is fixed`

// stoppedInvalid answers for a stopped service whose configuration cannot
// be composed: its spec, its base configurations, its templates or what
// compose checks. Like KServe, the stop wins over the error: a Fatal
// result would make Crossplane delete nothing, so the service would keep
// running although it was asked to stop. Nothing is composed, so
// Crossplane deletes everything; the error is a Warning, and in the
// conditions' messages. Once the annotation is removed the same error is
// Fatal: Crossplane then applies nothing, and the service stays stopped
// until the configuration is fixed. The Function input's own errors are
// the platform's, and stay Fatal for every service.
func (f *Function) stoppedInvalid(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, oxr *resource.Composite, cfg config.Config, cause error) (*fnv1.RunFunctionResponse, error) {
	err := errors.Wrap(cause, errStoppedInvalid)
	response.Warning(rsp, err).TargetCompositeAndClaim()
	out := status.Compute(status.Input{
		Composed: &compose.Result{}, GPUResource: cfg.GPUResource,
		Stopped: true, StopWarning: cause.Error(), Previous: conditionTypes(oxr),
	})
	for _, c := range out.Conditions {
		setCondition(rsp, c)
	}
	if err := setComposite(req, rsp, out); err != nil {
		response.Fatal(rsp, err)
		return rsp, nil
	}
	rsp.Meta.Ttl = durationpb.New(cfg.ReadyTTL)
	f.log.Debug("Stopped LLMInferenceService with an invalid configuration", "xr-name", oxr.Resource.GetName(), "error", cause.Error())
	return rsp, nil
}

// conditionTypes are the types of the conditions the observed XR carries,
// in its order.
func conditionTypes(oxr *resource.Composite) []string {
	var conds []struct {
		Type string `json:"type"`
	}
	// A malformed status has no conditions worth reading.
	_ = oxr.Resource.GetValueInto("status.conditions", &conds)
	types := make([]string, 0, len(conds))
	for _, c := range conds {
		types = append(types, c.Type)
	}
	return types
}
