package templates

import (
	"encoding/json"
	"strconv"
	"testing"
)

func objB(b *testing.B, s string) map[string]any {
	b.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRender renders a spec as the example's, and the worst a
// template may do within the bounds: what a plan with templates costs.
func BenchmarkRender(b *testing.B) {
	cases := map[string]string{
		"Example": `{"model": {"uri": "hf://Qwen/Qwen3-8B", "name": "Qwen/Qwen3-8B"}, "router": {"gateway": {"refs": [{"name": "{{ .GlobalConfig.IngressGatewayName }}", "namespace": "{{ .GlobalConfig.IngressGatewayNamespace }}"}]},
		  "scheduler": {"config": {"inline": {"plugins": [{"type": "x", "parameters": {"modelName": "{{ .Spec.Model.Name }}"}}]}}}},
		  "template": {"terminationGracePeriodSeconds": 90, "containers": [{"name": "main", "args": ["--shutdown-timeout={{ shutdownTimeout .Spec.Template 0 }}"],
		    "env": [{"name": "A", "value": "tcp://{{ ChildName .ObjectMeta.Name ` + "`-epp`" + ` }}.{{ .ObjectMeta.Namespace }}.svc:5557"}, {"name": "B", "value": "kv@$(POD_IP):8000@{{ .Spec.Model.Name }}"}]}]}}`,
		"LongestLoop":  withArgs(`"{{ range 100000 }}{{ $x := printf \"%s%s\" $.ObjectMeta.Name $.ObjectMeta.Namespace }}{{ end }}"`, ""),
		"MostOutput":   withArgs(`"{{ range 100 }}{{ printf \"%010000d\" 0 }}{{ end }}"`, ""),
		"WidestFanout": withArgs(strconv.Quote(fanout(20)), ""),
	}
	for name, spec := range cases {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				m := objB(b, spec)
				b.StartTimer()
				_, _, _ = Render(m, input)
			}
		})
	}
}
