package compose

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
)

// gpus is a template whose main container asks for n GPUs.
func gpus(n string) map[string]any {
	return map[string]any{"containers": []any{map[string]any{"name": "main", "resources": map[string]any{"limits": map[string]any{"nvidia.com/gpu": n}}}}}
}

// decodeService decodes a spec map the way the function does, so Raw is set.
func decodeService(t *testing.T, s map[string]any) *spec.Service {
	t.Helper()
	svc := decodeWith(t, config.Default(), s)
	if len(svc.Unknown) > 0 {
		t.Fatalf("unknown fields in test spec: %v", svc.Unknown)
	}
	return svc
}

// decodeWith resolves spec s under the layers the function merges under
// every spec (built-in presets and the defaults of the platform
// configuration cfg) and decodes it as the function does.
func decodeWith(t *testing.T, cfg config.Config, s map[string]any) *spec.Service {
	t.Helper()
	// Round-trip through JSON: what Crossplane sends is decoded JSON.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	merged, _, errs, err := config.Resolve(cfg, nil, config.Layer{Name: "llama", Source: config.SourceSpec, Spec: m})
	if err != nil || len(errs) > 0 {
		t.Fatalf("config.Resolve: %v %v", err, errs)
	}
	svc, err := spec.Decode(spec.Object{Name: "llama", Namespace: "team-a"}, merged, "")
	if err != nil {
		t.Fatalf("spec.Decode: %v", err)
	}
	svc.Platform = cfg.Platform()
	return svc
}

// buildWith composes spec s with the platform configuration cfg.
func buildWith(t *testing.T, cfg config.Config, s map[string]any) *Result {
	t.Helper()
	res, errs := Build(decodeWith(t, cfg, s), cfg)
	if len(errs) > 0 {
		t.Fatalf("Build: %v", errs.ToAggregate())
	}
	return res
}

// find returns the object composed under key, typed, or fails.
func find[T any](t *testing.T, objs []Object, key string) T {
	t.Helper()
	i := slices.IndexFunc(objs, func(o Object) bool { return string(o.Name) == key })
	if i < 0 {
		t.Fatalf("no object %q among %v", key, keysOf(objs))
	}
	v, ok := objs[i].Object.(T)
	if !ok {
		t.Fatalf("%s is a %T", key, objs[i].Object)
	}
	return v
}

func keysOf(objs []Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = string(o.Name) + "/" + o.Object.GetObjectKind().GroupVersionKind().Kind
	}
	return out
}

// mustUnmarshal decodes test JSON.
func mustUnmarshal(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
}
