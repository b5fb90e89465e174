package compose

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

// Endpoint picker configuration file.
const (
	// EPPConfigKey is the key of the managed ConfigMap that holds the
	// EndpointPickerConfig.
	EPPConfigKey = "config.yaml"
	// EPPConfigRefDefaultKey is the key read from a user's ConfigMap
	// (scheduler.config.ref) that names none, as KServe documents it.
	EPPConfigRefDefaultKey = "epp"
	// eppConfigDir is where the ConfigMap is mounted in the picker.
	eppConfigDir = "/config"

	eppConfigAPIVersion = "llm-d.ai/v1alpha1"
	eppConfigKind       = "EndpointPickerConfig"

	// AnnotationEPPConfigHash on the picker's pod template changes with
	// the configuration it composes, so a new configuration rolls the
	// picker: it reads the file only at start.
	AnnotationEPPConfigHash = "llminferenceservice.fn.crossplane.io/epp-config-sha256"
)

// The EndpointPickerConfig is a file format read by the picker, not an API
// object, so only the part the default uses is modelled; a user's inline
// configuration is passed through as written.
type eppConfigFile struct {
	APIVersion         string             `json:"apiVersion"`
	Kind               string             `json:"kind"`
	Plugins            []eppPluginSpec    `json:"plugins"`
	SchedulingProfiles []eppProfileConfig `json:"schedulingProfiles"`
}

type eppPluginSpec struct {
	Type       string         `json:"type"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

type eppProfileConfig struct {
	Name    string             `json:"name"`
	Plugins []eppProfilePlugin `json:"plugins"`
}

type eppProfilePlugin struct {
	PluginRef string `json:"pluginRef"`
	Weight    *int   `json:"weight,omitempty"`
}

// defaultEPPConfig is llm-d's intelligent-inference-scheduling profile:
// prefer pods with short queues and free KV cache, and above all pods that
// already hold the request's prefix in cache. The picker would inject the
// picker and profile handler itself; they are listed so the file says
// everything the picker runs.
func defaultEPPConfig() eppConfigFile {
	w := func(n int) *int { return &n }
	return eppConfigFile{
		APIVersion: eppConfigAPIVersion,
		Kind:       eppConfigKind,
		Plugins: []eppPluginSpec{
			{Type: "queue-scorer"},
			{Type: "kv-cache-utilization-scorer"},
			{Type: "prefix-cache-scorer"},
			{Type: "max-score-picker"},
			{Type: "single-profile-handler"},
		},
		SchedulingProfiles: []eppProfileConfig{{
			Name: "default",
			Plugins: []eppProfilePlugin{
				{PluginRef: "queue-scorer", Weight: w(2)},
				{PluginRef: "kv-cache-utilization-scorer", Weight: w(2)},
				{PluginRef: "prefix-cache-scorer", Weight: w(3)},
				{PluginRef: "max-score-picker"},
			},
		}},
	}
}

// pdEPPConfig is llm-d's prefill/decode profile pair (llm-d-router v0.7
// onwards): the disagg profile handler runs the decode profile, asks the
// decider whether to disaggregate, and if so runs the prefill profile and
// hands the chosen prefill pod to the decode pod's sidecar in a header.
// Each profile filters the pool by llm-d.ai/role and prefers pods with the
// prefix cached and short queues. always-disagg-pd-decider disaggregates
// every request, as llm-d's P/D guide and KServe do.
func pdEPPConfig() eppConfigFile {
	w := func(n int) *int { return &n }
	profile := func(name, filter string) eppProfileConfig {
		return eppProfileConfig{Name: name, Plugins: []eppProfilePlugin{
			{PluginRef: filter},
			{PluginRef: "prefix-cache-scorer", Weight: w(2)},
			{PluginRef: "queue-scorer", Weight: w(1)},
			{PluginRef: "max-score-picker"},
		}}
	}
	return eppConfigFile{
		APIVersion: eppConfigAPIVersion,
		Kind:       eppConfigKind,
		Plugins: []eppPluginSpec{
			{Type: "prefill-filter"},
			{Type: "decode-filter"},
			{Type: "prefix-cache-scorer"},
			{Type: "queue-scorer"},
			{Type: "max-score-picker"},
			{Type: "always-disagg-pd-decider"},
			{Type: "disagg-profile-handler", Parameters: map[string]any{
				"deciders": map[string]any{"prefill": "always-disagg-pd-decider"},
			}},
		},
		SchedulingProfiles: []eppProfileConfig{profile("prefill", "prefill-filter"), profile("decode", "decode-filter")},
	}
}

// eppConfigSource is where the picker reads its configuration from.
type eppConfigSource struct {
	// ConfigMap to mount at eppConfigDir.
	ConfigMap string
	// Key of the file in the ConfigMap.
	Key string
	// Text of the file when the function composes the ConfigMap; empty
	// for a user's ConfigMap, whose content the function never sees.
	Text string
}

// path is the file the picker's --config-file names.
func (s eppConfigSource) path() string { return eppConfigDir + "/" + s.Key }

// hash is a short digest of the configuration text, or "" when unknown.
func (s eppConfigSource) hash() string {
	if s.Text == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s.Text))
	return hex.EncodeToString(sum[:])[:16]
}

// eppConfig resolves scheduler.config: the user's ConfigMap, the user's
// inline configuration, or the default.
func (b *builder) eppConfig() (eppConfigSource, field.ErrorList) {
	p := field.NewPath("spec", "router", "scheduler", "config")
	c := b.svc.Spec.Router.Scheduler.Config
	own := eppConfigSource{ConfigMap: EPPName(b.svc.Name), Key: EPPConfigKey}
	switch {
	case c == nil || (c.Inline == nil && c.Ref == nil):
		def := defaultEPPConfig()
		if b.svc.Spec.Prefill != nil {
			def = pdEPPConfig()
		}
		text, err := yaml.Marshal(def)
		if err != nil {
			return eppConfigSource{}, field.ErrorList{field.InternalError(p, err)}
		}
		own.Text = string(text)
		return own, nil
	case c.Inline != nil && c.Ref != nil:
		return eppConfigSource{}, field.ErrorList{field.Invalid(p, "inline and ref", "set either inline or ref, not both")}
	case c.Ref != nil:
		return eppConfigRef(c.Ref, p.Child("ref"))
	default:
		text, errs := inlineEPPConfig(c.Inline.Raw, p.Child("inline"))
		if len(errs) > 0 {
			return eppConfigSource{}, errs
		}
		own.Text = text
		return own, nil
	}
}

// eppConfigRef mounts the user's ConfigMap. Its name and key are checked
// here because a bad one only shows as a pod stuck in ContainerCreating.
func eppConfigRef(ref *corev1.ConfigMapKeySelector, p *field.Path) (eppConfigSource, field.ErrorList) {
	var errs field.ErrorList
	if ref.Name == "" {
		errs = append(errs, field.Required(p.Child("name"), "the ConfigMap holding the EndpointPickerConfig"))
	} else {
		for _, msg := range validation.IsDNS1123Subdomain(ref.Name) {
			errs = append(errs, field.Invalid(p.Child("name"), ref.Name, msg))
		}
	}
	key := ref.Key
	if key == "" {
		key = EPPConfigRefDefaultKey
	}
	for _, msg := range validation.IsConfigMapKey(key) {
		errs = append(errs, field.Invalid(p.Child("key"), key, msg))
	}
	if len(errs) > 0 {
		return eppConfigSource{}, errs
	}
	return eppConfigSource{ConfigMap: ref.Name, Key: key}, nil
}

// inlineEPPConfig checks the user's EndpointPickerConfig and writes it out
// as YAML with sorted keys, so the same input always gives the same bytes
// (and the same hash: no spurious rollouts). The apiVersion is not checked,
// since the picker image, which a platform may change, decides which ones it
// reads; a missing apiVersion or kind is filled in because the picker
// refuses a file without them.
func inlineEPPConfig(raw []byte, p *field.Path) (string, field.ErrorList) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "", field.ErrorList{field.Required(p, "an EndpointPickerConfig object")}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	// Keep numbers as written: weights and thresholds must not turn into
	// floats with a different spelling.
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", field.ErrorList{field.Invalid(p, string(raw), fmt.Sprintf("not valid YAML or JSON: %v", err))}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", field.ErrorList{field.Invalid(p, string(raw), fmt.Sprintf(
			"must be an EndpointPickerConfig object (kind, plugins, schedulingProfiles, ...) written as YAML under inline, not a %s", jsonKind(v)))}
	}
	switch k, ok := m["kind"]; {
	case !ok:
		m["kind"] = eppConfigKind
	case k != eppConfigKind:
		return "", field.ErrorList{field.Invalid(p, k, "kind must be "+eppConfigKind+" when set")}
	}
	switch a, ok := m["apiVersion"]; {
	case !ok:
		m["apiVersion"] = eppConfigAPIVersion
	default:
		if s, isString := a.(string); !isString || s == "" {
			return "", field.ErrorList{field.Invalid(p, a, "apiVersion must be a group/version string such as "+eppConfigAPIVersion+" when set")}
		}
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return "", field.ErrorList{field.InternalError(p, err)}
	}
	return string(out), nil
}

// jsonKind names the JSON type of v for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "list"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// eppConfigMap holds the composed configuration; nil for a user's
// ConfigMap.
func (b *builder) eppConfigMap(src eppConfigSource) *corev1.ConfigMap {
	if src.Text == "" {
		return nil
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: b.objectMeta(src.ConfigMap, ComponentScheduler),
		Data:       map[string]string{src.Key: src.Text},
	}
}
