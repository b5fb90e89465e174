package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Endpoint picker plugins that need more than the picker (llm-d-and-gie.md
// §2.5 (c), kserve-v1alpha2.md §2.h).
const (
	// PluginPrecisePrefixCacheScorer is the legacy one-plugin form of
	// precise prefix-cache routing: it tokenizes, indexes vLLM's KV events
	// and scores.
	PluginPrecisePrefixCacheScorer = "precise-prefix-cache-scorer"
	// PluginPrecisePrefixCacheProducer indexes vLLM's KV events and
	// produces prefix matches for prefix-cache-scorer.
	PluginPrecisePrefixCacheProducer = "precise-prefix-cache-producer"
	// PluginTokenProducer asks the tokenizer to tokenize prompts.
	PluginTokenProducer = "token-producer"
	// PluginPrefixCacheScorer scores the matches a producer names.
	PluginPrefixCacheScorer = "prefix-cache-scorer"
	// PluginPredictedLatencyProducer asks the latency predictor sidecars.
	PluginPredictedLatencyProducer = "predicted-latency-producer"
)

// A PickerPlugin is one entry of an EndpointPickerConfig's plugins.
type PickerPlugin struct {
	// Index in the plugins list.
	Index int
	Type  string
	// Parameters as written; nil when none.
	Parameters map[string]any
}

// PickerConfig is the EndpointPickerConfig the user gives the picker, read
// from spec.router.scheduler.config: inline, or the text of the ConfigMap
// its ref names (which the plan reads from the cluster, where KServe only
// warns). The picker's --config-text is no source: spec.Validate refuses it
// in the picker's args.
type PickerConfig struct {
	// Doc is the configuration, numbers kept as written.
	Doc map[string]any
	// At is where it is written, for messages: the inline field, or the
	// ref (the ConfigMap's content has no field of the XR).
	At *field.Path
	// FromRef is true for a ConfigMap's configuration.
	FromRef bool
}

// PickerConfig is the user's EndpointPickerConfig, nil when the function
// composes its default one (or no picker), with the error that makes a
// ConfigMap's text unreadable.
func (svc *Service) PickerConfig() (*PickerConfig, error) {
	r := svc.Spec.Router
	if !r.HasScheduler() || r.Scheduler.Config == nil {
		return nil, nil
	}
	p := field.NewPath("spec", "router", "scheduler", "config")
	c := r.Scheduler.Config
	var raw []byte
	out := &PickerConfig{}
	switch {
	case c.Inline != nil:
		raw, out.At = c.Inline.Raw, p.Child("inline")
	case c.Ref != nil:
		j, err := yaml.YAMLToJSON([]byte(svc.PickerConfigRef))
		if err != nil {
			return nil, err
		}
		raw, out.At, out.FromRef = j, p.Child("ref"), true
	default:
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("an EndpointPickerConfig is an object, not a %s", jsonKind(v))
	}
	out.Doc = m
	return out, nil
}

// Plugins are the configuration's plugins, in order; an entry that is no
// object, or has no type, is left out (the picker refuses it).
func (c *PickerConfig) Plugins() []PickerPlugin {
	if c == nil {
		return nil
	}
	list, _ := c.Doc["plugins"].([]any)
	var out []PickerPlugin
	for i, e := range list {
		m, _ := e.(map[string]any)
		t, _ := m["type"].(string)
		if t == "" {
			continue
		}
		params, _ := m["parameters"].(map[string]any)
		out = append(out, PickerPlugin{Index: i, Type: t, Parameters: params})
	}
	return out
}

// Uses reports whether the configuration has a plugin of one of the types.
func (c *PickerConfig) Uses(types ...string) bool {
	return slices.ContainsFunc(c.Plugins(), func(p PickerPlugin) bool { return slices.Contains(types, p.Type) })
}

// PluginAt is where plugin i's parameter path is written, for messages.
func (c *PickerConfig) PluginAt(i int, path ...string) string {
	if c.FromRef {
		s := c.At.String() + " (the ConfigMap's plugins[" + strconv.Itoa(i) + "]"
		if len(path) > 0 {
			s += ".parameters"
			for _, e := range path {
				s += "." + e
			}
		}
		return s + ")"
	}
	p := c.At.Child("plugins").Index(i)
	if len(path) > 0 {
		p = p.Child("parameters", path...)
	}
	return p.String()
}

// pickerConfigOf is svc's configuration where it is readable; an
// unreadable one is spec.Validate's to refuse and enables nothing.
func (svc *Service) pickerConfigOf() *PickerConfig {
	c, err := svc.PickerConfig()
	if err != nil {
		return nil
	}
	return c
}

// TokenizerEnabled is true when the function composes the tokenizer, as
// KServe does: a managed picker with spec.router.scheduler.tokenizer set,
// or a configuration that uses token-producer or the legacy
// precise-prefix-cache-scorer.
func (svc *Service) TokenizerEnabled() bool {
	if !svc.Spec.ManagedScheduler() {
		return false
	}
	if svc.Spec.Router.Scheduler.Tokenizer != nil {
		return true
	}
	return svc.pickerConfigOf().Uses(PluginTokenProducer, PluginPrecisePrefixCacheScorer)
}

// LatencyPredictorEnabled is true when the picker's configuration uses
// predicted-latency-producer: the picker pod then runs the training and
// prediction servers beside it.
func (svc *Service) LatencyPredictorEnabled() bool {
	return svc.Spec.ManagedScheduler() && svc.pickerConfigOf().Uses(PluginPredictedLatencyProducer)
}

// KVEvents are the settings the picker's KV-events plugins and vLLM must
// agree on; one source, the picker's configuration.
type KVEvents struct {
	// BlockSize is the indexer's tokenProcessorConfig.blockSize.
	BlockSize int64
	// BlockSizeAt says where it is written ("" for the default).
	BlockSizeAt string
	// HashSeed is the indexer's tokenProcessorConfig.hashSeed, "" when
	// unset.
	HashSeed   string
	HashSeedAt string
}

// KVEvents are the KV-events settings of svc, nil when its picker does not
// route on KV events: a managed picker whose configuration uses
// precise-prefix-cache-scorer, precise-prefix-cache-producer or
// token-producer. The first plugin that sets a value gives it;
// spec.Validate refuses plugins that disagree.
func (svc *Service) KVEvents() *KVEvents {
	if !svc.Spec.ManagedScheduler() {
		return nil
	}
	c := svc.pickerConfigOf()
	if !c.Uses(kvEventsPlugins...) {
		return nil
	}
	kv := &KVEvents{BlockSize: wiring.DefaultKVEventsBlockSize}
	for _, p := range c.Plugins() {
		if !slices.Contains(kvEventsPlugins, p.Type) {
			continue
		}
		tp, _ := p.Parameters["tokenProcessorConfig"].(map[string]any)
		if n, ok := tp["blockSize"].(json.Number); ok && kv.BlockSizeAt == "" {
			if v, err := n.Int64(); err == nil {
				kv.BlockSize, kv.BlockSizeAt = v, c.PluginAt(p.Index, "tokenProcessorConfig", "blockSize")
			}
		}
		if s, ok := tp["hashSeed"].(string); ok && s != "" && kv.HashSeedAt == "" {
			kv.HashSeed, kv.HashSeedAt = s, c.PluginAt(p.Index, "tokenProcessorConfig", "hashSeed")
		}
	}
	return kv
}

// kvEventsPlugins are the plugin types that route on vLLM's KV events.
var kvEventsPlugins = []string{PluginPrecisePrefixCacheScorer, PluginPrecisePrefixCacheProducer, PluginTokenProducer}
