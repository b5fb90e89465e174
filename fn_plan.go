package main

import (
	"crypto/sha256"
	"encoding/json"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/compose"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/templates"
)

// A plan is everything composed for one spec. It depends only on the
// Function input, the XR's metadata and spec and its base configurations,
// never on observed state, so it can be reused across calls.
type plan struct {
	svc      *spec.Service
	layers   []config.Layer
	res      *compose.Result
	warnings []string
	// stopped is true when the stop annotation stops the service; desired
	// is then compose.Stop(res), what it still composes, and res what it
	// would compose running, for its conditions. Otherwise desired is res.
	stopped bool
	desired *compose.Result
	// encoded are desired.Objects as the encoded Structs of the response
	// (fn_encoded.go). They are shared between responses and must never be
	// modified.
	encoded map[resource.Name][]byte
}

// makePlan merges the layers, decodes and validates the spec, and composes
// it. Its error is the Fatal result's message.
//
// pickerConfigRef is the text of the ConfigMap key
// spec.router.scheduler.config.ref names, read from the cluster.
func makePlan(cfg config.Config, oxr *resource.Composite, xrSpec map[string]any, bases []config.Layer, pickerConfigRef string) (*plan, error) {
	merged, layers, errs, err := config.Resolve(cfg, bases, config.Layer{Name: oxr.Resource.GetName(), Source: config.SourceSpec, Spec: xrSpec})
	if len(errs) > 0 {
		return nil, errors.Wrap(fieldErrors(errs), errInvalid)
	}
	if err != nil {
		return nil, errors.Wrap(err, errLayers)
	}
	meta := spec.Object{
		Name:        oxr.Resource.GetName(),
		Namespace:   oxr.Resource.GetNamespace(),
		Labels:      oxr.Resource.GetLabels(),
		Annotations: oxr.Resource.GetAnnotations(),
	}
	merged, errs, err = renderTemplates(cfg, meta, merged)
	if err != nil {
		return nil, errors.Wrap(err, errDecode)
	}
	if len(errs) > 0 {
		return nil, errors.Wrap(fieldErrors(config.Attribute(layers, errs)), errInvalid)
	}
	svc, err := spec.Decode(meta, merged, cfg.Namespace)
	if err != nil {
		return nil, errors.Wrap(err, errDecode)
	}
	svc.Platform = cfg.Platform()
	svc.PickerConfigRef = pickerConfigRef
	if errs := spec.Validate(svc); len(errs) > 0 {
		return nil, errors.Wrap(fieldErrors(config.Attribute(layers, errs)), errInvalid)
	}
	res, errs := compose.Build(svc, cfg)
	if len(errs) > 0 {
		return nil, errors.Wrap(fieldErrors(config.Attribute(layers, errs)), errInvalid)
	}
	p := &plan{svc: svc, layers: layers, res: res, warnings: spec.Warnings(svc), desired: res}
	if spec.Stopped(meta.Annotations) {
		// The one place a stopped service is left out: whatever Build
		// composed, Crossplane deletes.
		p.stopped, p.desired = true, compose.Stop(res)
	}
	p.encoded = make(map[resource.Name][]byte, len(p.desired.Objects))
	for _, o := range p.desired.Objects {
		cd, err := compose.ToComposed(o.Object)
		if err != nil {
			return nil, errors.Wrapf(err, errFmtComposed, o.Name)
		}
		if p.encoded[o.Name], err = encodeObject(cd.UnstructuredContent()); err != nil {
			return nil, errors.Wrapf(err, errFmtComposed, o.Name)
		}
	}
	// A plan is kept for every service the function serves: keep only
	// what later calls read. The objects are encoded; the layers are
	// merged, and the status names them only.
	// The managed route is finished on every call with what the peers
	// and the Gateways say (fn_peers.go): it is kept whole.
	outlined := res.Outline(compose.ResourceRoute)
	if p.desired == res {
		p.desired = outlined
	} else {
		p.desired = p.desired.Outline(compose.ResourceRoute)
	}
	p.res, p.svc = outlined, svc.Outline()
	p.layers = make([]config.Layer, len(layers))
	for i, l := range layers {
		p.layers[i] = config.Layer{Name: l.Name, Namespace: l.Namespace, Source: l.Source}
	}
	return p, nil
}

// renderTemplates renders KServe's Go templates in every string of the
// merged spec, every layer's, against the merged spec: what a template
// reads may come from any layer. The platform's part of the data comes
// from the Function input, so the plan cache's key covers it.
func renderTemplates(cfg config.Config, meta spec.Object, merged map[string]any) (map[string]any, field.ErrorList, error) {
	if !templates.Has(merged) {
		return merged, nil, nil
	}
	// Who the service is (a claim's name and namespace for a legacy XR
	// made for one) does not depend on its spec, which is decoded once
	// rendered.
	who, err := spec.Decode(meta, map[string]any{}, cfg.Namespace)
	if err != nil {
		return nil, nil, err
	}
	return templates.Render(merged, templates.Input{
		Name:            who.Name,
		Namespace:       who.Namespace,
		Labels:          who.Labels,
		Annotations:     who.Annotations,
		ManagedPoolName: compose.ManagedPoolName(who.Name),
		Global: templates.GlobalConfig{
			SystemNamespace:             cfg.SystemNamespace,
			IngressGatewayName:          cfg.PlatformGateway.Name,
			IngressGatewayNamespace:     cfg.PlatformGateway.Namespace,
			ModelBasedRoutingHeaderName: cfg.ModelBasedRoutingHeaderName,
		},
	})
}

// planKey digests everything makePlan reads: the Function input, the XR's
// name, namespace, labels, annotations and spec, the base layers and the
// picker configuration read for spec.router.scheduler.config.ref.
// encoding/json writes map keys sorted, so equal inputs give equal keys.
func planKey(req *fnv1.RunFunctionRequest, oxr *resource.Composite, xrSpec map[string]any, bases []config.Layer, pickerConfigRef string) ([sha256.Size]byte, error) {
	in, err := proto.MarshalOptions{Deterministic: true}.Marshal(req.GetInput())
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	rest, err := json.Marshal([]any{
		oxr.Resource.GetName(), oxr.Resource.GetNamespace(), oxr.Resource.GetLabels(), oxr.Resource.GetAnnotations(), xrSpec, bases, pickerConfigRef,
	})
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	h := sha256.New()
	h.Write(in)
	h.Write([]byte{0})
	h.Write(rest)
	var k [sha256.Size]byte
	copy(k[:], h.Sum(nil))
	return k, nil
}
