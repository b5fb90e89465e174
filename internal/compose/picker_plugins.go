package compose

import (
	"maps"
	"slices"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// completePickerConfig fills in what the user's EndpointPickerConfig doc
// (inline or from the ConfigMap scheduler.config.ref names) cannot know,
// as KServe does for pickers of v0.9 onwards (the function's is v0.10):
//   - with the tokenizer, the legacy precise-prefix-cache-scorer, which
//     tokenized through a sidecar, becomes token-producer (asking the
//     tokenizer), precise-prefix-cache-producer (the same parameters but
//     the tokenizer pool's) and a prefix-cache-scorer of the producer's
//     matches that keeps the legacy plugin's name, so profiles that refer
//     to it score as before;
//   - every token-producer gets the tokenizer's model and URL unless it
//     names its own.
func (b *builder) completePickerConfig(doc map[string]any) {
	if !b.svc.TokenizerEnabled() {
		return
	}
	list, _ := doc["plugins"].([]any)
	var out []any
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["type"] != spec.PluginPrecisePrefixCacheScorer {
			out = append(out, e)
			continue
		}
		out = append(out, decomposePrecisePrefixScorer(m, hasPluginType(list, spec.PluginTokenProducer))...)
	}
	for _, e := range out {
		if m, _ := e.(map[string]any); m["type"] == spec.PluginTokenProducer {
			b.fillTokenProducer(m)
		}
	}
	doc["plugins"] = out
}

// decomposePrecisePrefixScorer is the legacy plugin m as the plugins that
// replace it; a token-producer is added unless the config has one.
func decomposePrecisePrefixScorer(m map[string]any, haveTokenProducer bool) []any {
	name, _ := m["name"].(string)
	if name == "" {
		name = spec.PluginPrecisePrefixCacheScorer
	}
	params := map[string]any{}
	if p, ok := m["parameters"].(map[string]any); ok {
		params = maps.Clone(p)
	}
	// The tokenizer pool was the sidecar's; the tokenizer replaces it.
	if ic, ok := params["indexerConfig"].(map[string]any); ok {
		ic = maps.Clone(ic)
		delete(ic, "tokenizersPoolConfig")
		params["indexerConfig"] = ic
		if len(ic) == 0 {
			delete(params, "indexerConfig")
		}
	}
	var out []any
	if !haveTokenProducer {
		out = append(out, map[string]any{"type": spec.PluginTokenProducer})
	}
	producer := map[string]any{"type": spec.PluginPrecisePrefixCacheProducer}
	if len(params) > 0 {
		producer["parameters"] = params
	}
	return append(out, producer, map[string]any{
		"type":       spec.PluginPrefixCacheScorer,
		"name":       name,
		"parameters": map[string]any{"prefixMatchInfoProducerName": spec.PluginPrecisePrefixCacheProducer},
	})
}

// fillTokenProducer points a token-producer at the tokenizer, keeping what
// it sets itself.
func (b *builder) fillTokenProducer(m map[string]any) {
	params, _ := m["parameters"].(map[string]any)
	params = maps.Clone(params)
	if params == nil {
		params = map[string]any{}
	}
	if _, ok := params["modelName"]; !ok {
		params["modelName"] = tokenizerModelName
	}
	vllm, _ := params["vllm"].(map[string]any)
	vllm = maps.Clone(vllm)
	if vllm == nil {
		vllm = map[string]any{}
	}
	if _, ok := vllm["url"]; !ok {
		vllm["url"] = serviceURL(tokenizerName(b.svc.Name), b.svc.Namespace, wiring.TokenizerPort)
	}
	params["vllm"] = vllm
	m["parameters"] = params
}

func hasPluginType(list []any, t string) bool {
	return slices.ContainsFunc(list, func(e any) bool {
		m, _ := e.(map[string]any)
		return m["type"] == t
	})
}
