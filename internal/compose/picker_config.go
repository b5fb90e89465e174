package compose

import (
	"crypto/sha256"
	"encoding/hex"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Endpoint picker configuration file.
const (
	// PickerConfigKey is the key of the managed ConfigMap that holds the
	// EndpointPickerConfig.
	pickerConfigKey = "config.yaml"
	// pickerConfigDir is where the ConfigMap is mounted in the picker.
	pickerConfigDir = "/config"

	// AnnotationPickerConfigHash on the picker's pod template changes with
	// the configuration it composes, so a new configuration rolls the
	// picker: it reads the file only at start.
	annotationPickerConfigHash = "llminferenceservice.fn.crossplane.io/epp-config-sha256"
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
		APIVersion: wiring.PickerConfigAPIVersion,
		Kind:       wiring.PickerConfigKind,
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
		APIVersion: wiring.PickerConfigAPIVersion,
		Kind:       wiring.PickerConfigKind,
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

// pickerConfigSource is where the picker reads its configuration from: the
// ConfigMap the function composes.
type pickerConfigSource struct {
	// ConfigMap to mount at pickerConfigDir.
	ConfigMap string
	// Key of the file in the ConfigMap.
	Key string
	// Text of the file.
	Text string
}

// path is the file the picker's --config-file names.
func (s pickerConfigSource) path() string { return pickerConfigDir + "/" + s.Key }

// hash is a short digest of the configuration text.
func (s pickerConfigSource) hash() string {
	sum := sha256.Sum256([]byte(s.Text))
	return hex.EncodeToString(sum[:])[:16]
}

// pickerConfig resolves scheduler.config: the user's configuration, inline
// or from the ConfigMap its ref names (which the plan has read), completed
// for the tokenizer; or the default. The function composes the picker's
// ConfigMap in every case, so a change of the user's ConfigMap rolls the
// picker, which reads the file only at start. spec.Validate has checked it.
func (b *builder) pickerConfig() (pickerConfigSource, field.ErrorList) {
	p := field.NewPath("spec", "router", "scheduler", "config")
	own := pickerConfigSource{ConfigMap: pickerName(b.svc.Name), Key: pickerConfigKey}
	var text []byte
	user, err := b.svc.PickerConfig()
	switch {
	case err != nil:
	case user != nil:
		p = user.At
		b.completePickerConfig(user.Doc)
		text, err = userPickerConfig(user.Doc)
	case b.svc.Spec.Prefill != nil:
		text, err = yaml.Marshal(pdPickerConfig())
	default:
		text, err = yaml.Marshal(defaultPickerConfig())
	}
	if err != nil {
		return pickerConfigSource{}, field.ErrorList{field.InternalError(p, err)}
	}
	own.Text = string(text)
	return own, nil
}

// userPickerConfig writes the user's EndpointPickerConfig out as YAML
// with sorted keys, so the same input always gives the same bytes (and the
// same hash: no spurious rollouts), with the apiVersion and kind the
// picker requires filled in when missing. Numbers are json.Numbers, kept
// as written: weights and thresholds must not turn into floats with a
// different spelling.
func userPickerConfig(m map[string]any) ([]byte, error) {
	if _, ok := m["kind"]; !ok {
		m["kind"] = wiring.PickerConfigKind
	}
	if _, ok := m["apiVersion"]; !ok {
		m["apiVersion"] = wiring.PickerConfigAPIVersion
	}
	return yaml.Marshal(m)
}

// pickerConfigMap holds the composed configuration.
func (b *builder) pickerConfigMap(src pickerConfigSource) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: b.objectMeta(src.ConfigMap, componentScheduler),
		Data:       map[string]string{src.Key: src.Text},
	}
}
