package main

import (
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/diagnose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/status"
)

// podsRequirement names the requirement for the pods of the workload
// composed as name.
func podsRequirement(name resource.Name) string { return "pods/" + string(name) }

// readPods asks Crossplane for the pods of each workload that is not ready
// (status.Unready), by the labels the function gives them, and diagnoses
// those it has read. Which workloads are not ready depends only on what is
// observed, which stays the same while Crossplane iterates on the
// requirements: they settle in one round. A ready service asks for no pods.
func readPods(req *fnv1.RunFunctionRequest, p *plan, cfg config.Config, observed map[resource.Name]resource.ObservedComposed) (map[resource.Name]diagnose.Diagnosis, map[string]*fnv1.ResourceSelector) {
	if p.stopped {
		return nil, nil
	}
	sets := status.Unready(p.res, observed)
	if len(sets) == 0 {
		return nil, nil
	}
	selectors := make(map[string]*fnv1.ResourceSelector, len(sets))
	diags := map[resource.Name]diagnose.Diagnosis{}
	for _, ps := range sets {
		key := podsRequirement(ps.Resource)
		selectors[key] = &fnv1.ResourceSelector{
			ApiVersion: "v1",
			Kind:       "Pod",
			Match:      &fnv1.ResourceSelector_MatchLabels{MatchLabels: &fnv1.MatchLabels{Labels: ps.Selector}},
			Namespace:  ptr.To(p.svc.Namespace),
		}
		got, ok, err := request.GetRequiredResource(req, key)
		if err != nil || !ok {
			// Crossplane reads them and calls again. Pods it could not
			// hand over say nothing: a diagnosis must never stop the
			// service from being composed.
			continue
		}
		pods := make([]*unstructured.Unstructured, 0, len(got))
		for _, r := range got {
			pods = append(pods, r.Resource)
		}
		if d, found := diagnose.Pods(pods, diagnose.Context{Pods: ps, HFToken: cfg.HFToken, GPUResource: p.res.GPUResource}); found {
			diags[ps.Resource] = d
		}
	}
	return diags, selectors
}
