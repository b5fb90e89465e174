package templates_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/templates"
)

// obj decodes a spec written as JSON, as Crossplane delivers one.
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// TestRenderMergedLayers renders the spec config.Resolve merges from every
// layer, as the function does: templates in a base configuration and in the
// XR read values from every layer (the built-in presets, the Function
// input's defaults, the base, the XR), where KServe's read only the XR's.
func TestRenderMergedLayers(t *testing.T) {
	base := config.Layer{Name: "h100", Source: config.SourceEnvironmentConfig, Spec: obj(t, `{"parallelism": {"tensor": 4},
	  "template": {"terminationGracePeriodSeconds": 120, "containers": [{"name": "main", "env": [
	    {"name": "KV_EVENTS_ENDPOINT", "value": "tcp://{{ ChildName .ObjectMeta.Name `+"`-epp`"+` }}.{{ .ObjectMeta.Namespace }}.svc:5557"},
	    {"name": "SERVED_MODEL", "value": "{{ .Spec.Model.Name }}"}]}]}}`)}
	xr := config.Layer{Name: "llama", Source: config.SourceSpec, Spec: obj(t, `{"model": {"uri": "hf://o/m", "name": "llama-chat"},
	  "template": {"containers": [{"name": "main", "args": [
	    "--tensor-parallel-size={{ .Spec.Parallelism.Tensor }}",
	    "--shutdown-timeout={{ shutdownTimeout .Spec.Template 15 }}",
	    "{{ range .Spec.Template.Containers }}{{ .Image }}{{ end }}",
	    "{{ .Spec.Template.EnableServiceLinks }}"]}]}}`)}
	merged, _, errs, err := config.Resolve(config.Default(), []config.Layer{base}, xr)
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	out, errs, err := templates.Render(merged, templates.Input{Name: "llama", Namespace: "team", ManagedPoolName: "llama-inference-pool"})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	var got struct {
		Template struct {
			Containers []struct {
				Name string
				Args []string
				Env  []struct{ Name, Value string }
			}
		}
	}
	b, _ := json.Marshal(out)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Template.Containers) != 1 {
		t.Fatalf("want the main container only, got %+v", got.Template.Containers)
	}
	main := got.Template.Containers[0]
	wantArgs := []string{
		"--tensor-parallel-size=4",     // from the base
		"--shutdown-timeout=100",       // the base's grace period
		config.DefaultModelServerImage, // the Function input's default
		"false",                        // the built-in preset's
	}
	if diff := cmp.Diff(wantArgs, main.Args); diff != "" {
		t.Errorf("templates in the XR: -want, +got:\n%s", diff)
	}
	env := map[string]string{}
	for _, e := range main.Env {
		env[e.Name] = e.Value
	}
	if got, want := env["KV_EVENTS_ENDPOINT"], "tcp://llama-epp.team.svc:5557"; got != want {
		t.Errorf("the base's template: got %q, want %q", got, want)
	}
	if got, want := env["SERVED_MODEL"], "llama-chat"; got != want {
		t.Errorf("the base's template reading the XR: got %q, want %q", got, want)
	}
}
