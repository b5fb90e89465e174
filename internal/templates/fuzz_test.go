package templates

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzRender renders arbitrary templates in a spec: the renderer must
// never panic, must give the same answer twice, and must keep what it
// renders within its bounds. `go test -fuzz FuzzRender ./internal/templates`
// runs it; every `go test` replays the seeds.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"{{ ChildName .ObjectMeta.Name `-epp` }}",
		"{{ range $k, $v := .ObjectMeta.Labels }}{{ $k }}{{ end }}",
		`{{ define "a" }}{{ template "b" . }}{{ end }}{{ define "b" }}x{{ end }}{{ template "a" . }}`,
		"{{ kvTransferConfig .Spec.KVCacheOffloading }}{{ shutdownTimeout .Spec.Template 15 }}",
		"{{ range 20 }}{{ printf \"%0100d\" 1 }}{{ end }}",
		"{{ with .Spec.Parallelism }}{{ .Tensor }}{{ else }}none{{ end }}",
		"{{ .Spec.Prefill.Template }}",
		"{{ printf \"%v\" .GlobalConfig }}",
	} {
		f.Add(s)
	}
	spec := `{"model": {"uri": "hf://o/m"}, "parallelism": {"tensor": 2}, "kvCacheOffloading": {"cpu": "1Gi"},
	  "template": {"containers": [{"name": "main", "args": ["--a", "X"], "resources": {"limits": {"nvidia.com/gpu": "X"}}}]}, "labels": {"a": "X"}}`
	f.Fuzz(func(t *testing.T, tmpl string) {
		s := strings.ReplaceAll(spec, `"X"`, jsonString(tmpl))
		m1, m2 := obj(t, s), obj(t, s)
		out1, errs1, err1 := Render(m1, input)
		out2, errs2, err2 := Render(m2, input)
		if diff := cmp.Diff(out1, out2); diff != "" {
			t.Fatalf("two renders differ: %s", diff)
		}
		if errs1.ToAggregate() != nil && errs1.ToAggregate().Error() != errs2.ToAggregate().Error() || (err1 == nil) != (err2 == nil) {
			t.Fatalf("two renders fail differently: %v %v / %v %v", errs1, err1, errs2, err2)
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
