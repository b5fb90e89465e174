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
	// PickerConfigKey is the key of the managed ConfigMap that holds the
	// EndpointPickerConfig.
	PickerConfigKey = "config.yaml"
	// PickerConfigRefDefaultKey is the key read from a user's ConfigMap
	// (scheduler.config.ref) that names none, as KServe documents it.
	PickerConfigRefDefaultKey = "epp"
	// pickerConfigDir is where the ConfigMap is mounted in the picker.
	pickerConfigDir = "/config"

	pickerConfigAPIVersion = "llm-d.ai/v1alpha1"
	pickerConfigKind       = "EndpointPickerConfig"

	// AnnotationPickerConfigHash on the picker's pod template changes with
	// the configuration it composes, so a new configuration rolls the
	// picker: it reads the file only at start.
	AnnotationPickerConfigHash = "llminferenceservice.fn.crossplane.io/epp-config-sha256"
)

// The EndpointPickerConfig is a file format read by the picker, not an API
// object, so only the part the default uses is modelled; a user's inline
// configuration is passed through as written.
type pickerConfigFile struct {
	APIVersion         string                `json:"apiVersion"`
	Kind               string                `json:"kind"`
	Plugins            []pickerPluginSpec    `json:"plugins"`
	SchedulingProfiles []pickerProfileConfig `json:"schedulingProfiles"`
}

type pickerPluginSpec struct {
	Type       string         `json:"type"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

type pickerProfileConfig struct {
	Name    string                `json:"name"`
	Plugins []pickerProfilePlugin `json:"plugins"`
}

type pickerProfilePlugin struct {
	PluginRef string `json:"pluginRef"`
	Weight    *int   `json:"weight,omitempty"`
}

// defaultPickerConfig is llm-d's intelligent-inference-scheduling profile:
// prefer pods with short queues and free KV cache, and above all pods that
// already hold the request's prefix in cache. The picker would inject the
// picker and profile handler itself; they are listed so the file says
// everything the picker runs.
func defaultPickerConfig() pickerConfigFile {
	w := func(n int) *int { return &n }
	return pickerConfigFile{
		APIVersion: pickerConfigAPIVersion,
		Kind:       pickerConfigKind,
		Plugins: []pickerPluginSpec{
			{Type: "queue-scorer"},
			{Type: "kv-cache-utilization-scorer"},
			{Type: "prefix-cache-scorer"},
			{Type: "max-score-picker"},
			{Type: "single-profile-handler"},
		},
		SchedulingProfiles: []pickerProfileConfig{{
			Name: "default",
			Plugins: []pickerProfilePlugin{
				{PluginRef: "queue-scorer", Weight: w(2)},
				{PluginRef: "kv-cache-utilization-scorer", Weight: w(2)},
				{PluginRef: "prefix-cache-scorer", Weight: w(3)},
				{PluginRef: "max-score-picker"},
			},
		}},
	}
}

// pdPickerConfig is llm-d's prefill/decode profile pair (llm-d-router v0.7
// onwards): the disagg profile handler runs the decode profile, asks the
// decider whether to disaggregate, and if so runs the prefill profile and
// hands the chosen prefill pod to the decode pod's sidecar in a header.
// Each profile filters the pool by llm-d.ai/role and prefers pods with the
// prefix cached and short queues. always-disagg-pd-decider disaggregates
// every request, as llm-d's P/D guide and KServe do.
func pdPickerConfig() pickerConfigFile {
	w := func(n int) *int { return &n }
	profile := func(name, filter string) pickerProfileConfig {
		return pickerProfileConfig{Name: name, Plugins: []pickerProfilePlugin{
			{PluginRef: filter},
			{PluginRef: "prefix-cache-scorer", Weight: w(2)},
			{PluginRef: "queue-scorer", Weight: w(1)},
			{PluginRef: "max-score-picker"},
		}}
	}
	return pickerConfigFile{
		APIVersion: pickerConfigAPIVersion,
		Kind:       pickerConfigKind,
		Plugins: []pickerPluginSpec{
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
		SchedulingProfiles: []pickerProfileConfig{profile("prefill", "prefill-filter"), profile("decode", "decode-filter")},
	}
}

// pickerConfigSource is where the picker reads its configuration from.
type pickerConfigSource struct {
	// ConfigMap to mount at pickerConfigDir.
	ConfigMap string
	// Key of the file in the ConfigMap.
	Key string
	// Text of the file when the function composes the ConfigMap; empty
	// for a user's ConfigMap, whose content the function never sees.
	Text string
}

// path is the file the picker's --config-file names.
func (s pickerConfigSource) path() string { return pickerConfigDir + "/" + s.Key }

// hash is a short digest of the configuration text, or "" when unknown.
func (s pickerConfigSource) hash() string {
	if s.Text == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(s.Text))
	return hex.EncodeToString(sum[:])[:16]
}

// pickerConfig resolves scheduler.config: the user's ConfigMap, the user's
// inline configuration, or the default.
func (b *builder) pickerConfig() (pickerConfigSource, field.ErrorList) {
	p := field.NewPath("spec", "router", "scheduler", "config")
	c := b.svc.Spec.Router.Scheduler.Config
	own := pickerConfigSource{ConfigMap: PickerName(b.svc.Name), Key: PickerConfigKey}
	switch {
	case c == nil || (c.Inline == nil && c.Ref == nil):
		def := defaultPickerConfig()
		if b.svc.Spec.Prefill != nil {
			def = pdPickerConfig()
		}
		text, err := yaml.Marshal(def)
		if err != nil {
			return pickerConfigSource{}, field.ErrorList{field.InternalError(p, err)}
		}
		own.Text = string(text)
		return own, nil
	case c.Inline != nil && c.Ref != nil:
		return pickerConfigSource{}, field.ErrorList{field.Invalid(p, "inline and ref", "set either inline or ref, not both")}
	case c.Ref != nil:
		return pickerConfigRef(c.Ref, p.Child("ref"))
	default:
		text, errs := inlinePickerConfig(c.Inline.Raw, p.Child("inline"))
		if len(errs) > 0 {
			return pickerConfigSource{}, errs
		}
		own.Text = text
		return own, nil
	}
}

// pickerConfigRef mounts the user's ConfigMap. Its name and key are checked
// here because a bad one only shows as a pod stuck in ContainerCreating.
func pickerConfigRef(ref *corev1.ConfigMapKeySelector, p *field.Path) (pickerConfigSource, field.ErrorList) {
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
		key = PickerConfigRefDefaultKey
	}
	for _, msg := range validation.IsConfigMapKey(key) {
		errs = append(errs, field.Invalid(p.Child("key"), key, msg))
	}
	if len(errs) > 0 {
		return pickerConfigSource{}, errs
	}
	return pickerConfigSource{ConfigMap: ref.Name, Key: key}, nil
}

// inlinePickerConfig checks the user's EndpointPickerConfig and writes it out
// as YAML with sorted keys, so the same input always gives the same bytes
// (and the same hash: no spurious rollouts). The apiVersion is not checked,
// since the picker image, which a platform may change, decides which ones it
// reads; a missing apiVersion or kind is filled in because the picker
// refuses a file without them.
func inlinePickerConfig(raw []byte, p *field.Path) (string, field.ErrorList) {
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
		m["kind"] = pickerConfigKind
	case k != pickerConfigKind:
		return "", field.ErrorList{field.Invalid(p, k, "kind must be "+pickerConfigKind+" when set")}
	}
	switch a, ok := m["apiVersion"]; {
	case !ok:
		m["apiVersion"] = pickerConfigAPIVersion
	default:
		if s, isString := a.(string); !isString || s == "" {
			return "", field.ErrorList{field.Invalid(p, a, "apiVersion must be a group/version string such as "+pickerConfigAPIVersion+" when set")}
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

// pickerConfigMap holds the composed configuration; nil for a user's
// ConfigMap.
func (b *builder) pickerConfigMap(src pickerConfigSource) *corev1.ConfigMap {
	if src.Text == "" {
		return nil
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: b.objectMeta(src.ConfigMap, ComponentScheduler),
		Data:       map[string]string{src.Key: src.Text},
	}
}
