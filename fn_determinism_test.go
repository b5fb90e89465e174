package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"
)

// determinismRuns is how often each request is repeated: Go randomises map
// iteration on every range, so an order leaking from a map into a list, a
// string or a hash shows up within a few hundred calls.
const determinismRuns = 300

// TestRunFunctionDeterministicExamples calls the function with the same
// request many times for every example, both before anything exists and,
// where the example ships observed or required resources, once Crossplane
// has observed and read them. Every response must be byte for byte the
// same (deterministically marshalled): a response that changes without a
// change in the request makes Crossplane apply again on every reconcile,
// and a changing config hash would restart the endpoint picker. The request
// must come out unchanged too, since Crossplane may reuse it.
func TestRunFunctionDeterministicExamples(t *testing.T) {
	type run struct {
		name string
		req  *fnv1.RunFunctionRequest
	}
	var runs []run
	for _, ex := range loadExamples(t) {
		runs = append(runs, run{ex.name + "/nothing-observed", ex.request(t, false)})
		if ex.observed != nil || ex.required != nil {
			runs = append(runs, run{ex.name + "/settled", ex.request(t, true)})
		}
	}
	// As served, minus the cache, so that every call composes again and
	// encodes what it composed.
	f := &Function{log: logging.NewNopLogger(), preEncoded: true}
	marshal := proto.MarshalOptions{Deterministic: true}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			// The function serves concurrent calls; running the
			// examples side by side checks they share no state too.
			t.Parallel()
			before := proto.Clone(r.req)
			var first []byte
			for i := range determinismRuns {
				rsp, err := f.RunFunction(context.Background(), r.req)
				if err != nil {
					t.Fatal(err)
				}
				b, err := marshal.Marshal(rsp)
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = b
					continue
				}
				if !bytes.Equal(b, first) {
					t.Fatalf("call %d gave a different response than call 0", i)
				}
			}
			if !proto.Equal(before, r.req) {
				t.Errorf("RunFunction changed its request")
			}
		})
	}
}
