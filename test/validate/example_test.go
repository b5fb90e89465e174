package validate_test

import (
	"fmt"

	"github.com/crossplane-contrib/function-llm-inference-service/test/validate"
)

// A test in another package of the test module checks rendered objects with
// the shared Validator.
func ExampleValidator_Validate() {
	v, err := validate.Default()
	if err != nil {
		panic(err)
	}
	svc := map[string]any{
		"apiVersion": "v1",
		"kind":       "Service",
		"metadata":   map[string]any{"name": "llama-3-8b-workload", "namespace": "default"},
		"spec": map[string]any{
			"ports":    []any{map[string]any{"name": "http", "port": "8000", "targetPot": 8000}},
			"selector": map[string]any{"app.kubernetes.io/name": "llama-3-8b"},
		},
	}
	fmt.Println(v.Validate(svc))
	// Output:
	// Service/v1 default/llama-3-8b-workload is invalid:
	//   spec.ports[0].port: Invalid value: "string": spec.ports[0].port in body must be of type integer: "string"
	//   spec.ports[0].targetPot: Forbidden: unknown field: not in the schema; a strict create or a server-side apply fails, any other create drops it
}
