package config

import (
	"embed"
	"encoding/json"
	"path"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/templates"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Built-in presets: spec fragments compiled into the binary from
// presets/*.yaml, chosen by the topology the spec resolves to.
const (
	PresetSingleNode            = "single-node"
	PresetDecode                = "decode"
	PresetPrefill               = "prefill"
	PresetMultiNodeDataParallel = "multi-node-data-parallel"
	PresetScheduler             = "scheduler"
	PresetTracing               = "tracing"

	// LayerFunctionInput names the layer of defaults the Function input's
	// typed fields (images, resources, shared memory, ...) make.
	LayerFunctionInput = "function-input"
)

// startupProbePeriodSec is how often the startup probe of vLLM runs.
const startupProbePeriodSec = 10

//go:embed presets/*.yaml
var presetFiles embed.FS

// builtIn are the parsed presets by name.
var builtIn = func() map[string]map[string]any {
	out := map[string]map[string]any{}
	entries, err := presetFiles.ReadDir("presets")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := presetFiles.ReadFile(path.Join("presets", e.Name()))
		if err != nil {
			panic(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			panic(errors.Wrapf(err, "built-in preset %s", e.Name())) // Caught by TestBuiltInPresets.
		}
		out[e.Name()[:len(e.Name())-len(".yaml")]] = m
	}
	return out
}()

// BuiltIn returns a copy of the built-in preset of that name.
func BuiltIn(name string) (map[string]any, bool) {
	m, ok := builtIn[name]
	if !ok {
		return nil, false
	}
	return runtime.DeepCopyJSON(m), true
}

// Resolve merges every layer of configuration into the spec the function
// composes, lowest first: the built-in presets for the topology, the
// Function input's defaults, the base configurations in order, the XR's
// spec. The topology is read from the base configurations and the spec
// merged first, so a prefill or worker that comes from a base selects its
// presets like one written in the spec (kserve/kserve#4945).
//
// The layers a user writes are checked first (see checkLayer), once per
// spec rather than on every call: the field errors name the layer and field.
func Resolve(c Config, bases []Layer, xr Layer) (map[string]any, []Layer, field.ErrorList, error) {
	top := append(append([]Layer{}, bases...), xr)
	var errs field.ErrorList
	for _, l := range top {
		errs = append(errs, checkLayer(l.Spec, l.path())...)
		errs = append(errs, checkBase(l)...)
	}
	if len(errs) > 0 {
		return nil, nil, errs, nil
	}
	resolved, err := Merge(top)
	if err != nil {
		return nil, nil, nil, err
	}
	var s spec.LLMInferenceServiceSpec
	// Without the Go templates that only decode once rendered: what
	// selects the presets is never a template.
	b, err := json.Marshal(templates.Plain(resolved))
	if err != nil {
		return nil, nil, nil, errors.Wrap(err, "cannot marshal the resolved spec")
	}
	// Not strict: unknown fields are reported once the final spec is decoded.
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, nil, nil, errors.Wrap(err, "cannot decode the resolved spec")
	}
	layers := append(builtInLayers(&s), c.inputLayer(&s))
	layers = append(layers, top...)
	merged, err := Merge(layers)
	return merged, layers, nil, err
}

// builtInLayers chooses the presets for a resolved spec.
func builtInLayers(s *spec.LLMInferenceServiceSpec) []Layer {
	var ls []Layer
	add := func(name string, frag map[string]any) {
		ls = append(ls, Layer{Name: name, Source: SourceBuiltIn, Spec: frag})
	}
	preset := func(name string) map[string]any {
		m, _ := BuiltIn(name)
		return m
	}
	if s.Prefill != nil {
		add(PresetDecode, preset(PresetDecode))
	} else {
		add(PresetSingleNode, preset(PresetSingleNode))
	}
	if s.Topology() == spec.DataParallelGroup {
		add(PresetMultiNodeDataParallel, preset(PresetMultiNodeDataParallel))
	}
	if s.Prefill != nil {
		add(PresetPrefill, preset(PresetPrefill))
		if s.Prefill.Topology() == spec.DataParallelGroup {
			// The same defaults, for the prefill workload.
			add(PresetPrefill+"-"+PresetMultiNodeDataParallel, map[string]any{"prefill": preset(PresetMultiNodeDataParallel)})
		}
	}
	if s.ManagedScheduler() {
		add(PresetScheduler, preset(PresetScheduler))
	}
	if s.Tracing != nil {
		add(PresetTracing, preset(PresetTracing))
	}
	return ls
}

// inputLayer is the Function input's typed defaults as a spec fragment, for
// the parts the resolved spec has.
func (c Config) inputLayer(s *spec.LLMInferenceServiceSpec) Layer {
	frag := map[string]any{"template": c.modelServerPod(s.Prefill != nil)}
	if s.Prefill != nil {
		frag["prefill"] = map[string]any{"template": c.modelServerPod(false)}
	}
	if s.ManagedScheduler() {
		main := map[string]any{"name": wiring.MainContainer, "image": c.PickerImage, "resources": toJSON(c.PickerResources)}
		frag["router"] = map[string]any{"scheduler": map[string]any{"template": map[string]any{"containers": []any{main}}}}
	}
	return Layer{Name: LayerFunctionInput, Source: SourceFunctionInput, Spec: frag}
}

// modelServerPod is the input's defaults for a model-server pod.
func (c Config) modelServerPod(decode bool) map[string]any {
	main := map[string]any{
		"name":  wiring.MainContainer,
		"image": c.ModelServerImage,
		// vLLM may take StartupTimeout to load the model before liveness
		// takes over.
		"startupProbe": map[string]any{
			"periodSeconds":    int64(startupProbePeriodSec),
			"timeoutSeconds":   int64(5),
			"failureThreshold": int64(c.StartupTimeout.Seconds()) / startupProbePeriodSec,
		},
	}
	if c.ModelServerResources != nil {
		main["resources"] = toJSON(*c.ModelServerResources)
	}
	pod := map[string]any{
		"containers": []any{main},
		"volumes": []any{map[string]any{
			"name":     wiring.SharedMemoryVolume,
			"emptyDir": map[string]any{"sizeLimit": c.SharedMemory.String()},
		}},
	}
	if c.ServiceAccountName != "" {
		pod["serviceAccountName"] = c.ServiceAccountName
	}
	if c.RunAsUser != nil {
		// Pod-wide, so the storage initializer and the modelcar run as
		// vLLM does: vLLM reads a modelcar's files through
		// /proc/<pid>/root, which the kernel allows between containers
		// only for the same user and group once capabilities are dropped.
		pod["securityContext"] = map[string]any{"runAsNonRoot": true, "runAsUser": *c.RunAsUser, "runAsGroup": *c.RunAsUser}
		// An arbitrary ID has no passwd entry; Python's getpass (torch's
		// compile caches) then reads $USER, as llm-d sets it.
		main["env"] = []any{map[string]any{"name": "USER", "value": "vllm"}}
	}
	if decode {
		pod["initContainers"] = []any{map[string]any{"name": wiring.RoutingSidecar, "image": c.RoutingSidecarImage}}
	}
	return pod
}

// toJSON converts resource requirements to the JSON shape of a spec.
func toJSON(r corev1.ResourceRequirements) map[string]any {
	out := map[string]any{}
	for k, l := range map[string]corev1.ResourceList{"limits": r.Limits, "requests": r.Requests} {
		if len(l) == 0 {
			continue
		}
		m := map[string]any{}
		for n, q := range l {
			m[string(n)] = q.String()
		}
		out[k] = m
	}
	return out
}
