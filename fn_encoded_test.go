package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/google/go-cmp/cmp"
)

// TestPreEncodedResponses checks that what the served binary answers
// (composed resources carried as the bytes their plan encoded) is, once on
// the wire and read back as Crossplane reads it, the very response the
// function builds as messages: for every example, before anything exists
// and settled, first composed and then from the plan cache. Nothing may be
// left unparsed on the reader's side.
func TestPreEncodedResponses(t *testing.T) {
	messages := &Function{log: logging.NewNopLogger()}
	served := &Function{log: logging.NewNopLogger(), plans: newPlanCache(DefaultPlanCacheMiB << 20), preEncoded: true}
	for _, ex := range loadExamples(t) {
		for _, settled := range []bool{false, true} {
			if settled && ex.observed == nil && ex.required == nil {
				continue
			}
			req := ex.request(t, settled)
			want, err := messages.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
			if err != nil {
				t.Fatal(err)
			}
			for _, call := range []string{"composed", "cached"} {
				rsp, err := served.RunFunction(context.Background(), proto.Clone(req).(*fnv1.RunFunctionRequest))
				if err != nil {
					t.Fatal(err)
				}
				b, err := proto.Marshal(rsp)
				if err != nil {
					t.Fatal(err)
				}
				got := &fnv1.RunFunctionResponse{}
				if err := proto.Unmarshal(b, got); err != nil {
					t.Fatalf("%s (settled %t, %s): the served response does not decode: %v", ex.name, settled, call, err)
				}
				if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
					t.Errorf("%s (settled %t, %s): served response, read back: -as messages, +served:\n%s", ex.name, settled, call, diff)
				}
				for name, r := range got.GetDesired().GetResources() {
					if u := r.ProtoReflect().GetUnknown(); len(u) > 0 {
						t.Errorf("%s: desired resource %s keeps %d bytes its reader cannot parse", ex.name, name, len(u))
					}
					if r.GetResource() == nil {
						t.Errorf("%s: desired resource %s has no object once read back", ex.name, name)
					}
				}
			}
		}
	}
}

// TestDesiredResourceEncoding checks the entry of one composed resource:
// the bytes travel as fnv1.Resource's resource field, beside its
// readiness, and decode in this process too.
func TestDesiredResourceEncoding(t *testing.T) {
	obj := &fnv1.Resource{}
	if err := proto.Unmarshal(mustMarshal(t, newRequest(seedXR, nil, "").GetObserved().GetComposite()), obj); err != nil {
		t.Fatal(err)
	}
	b, err := encodeObject(obj.GetResource().AsMap())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason     string
		preEncoded bool
		ready      fnv1.Ready
	}{
		"Served": {
			reason:     "Served, the object is the unknown field 1 and decodes as the resource field.",
			preEncoded: true,
			ready:      fnv1.Ready_READY_TRUE,
		},
		"InProcess": {
			reason: "In process, the object is decoded into the resource field.",
			ready:  fnv1.Ready_READY_FALSE,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := desiredResource(b, tc.ready, tc.preEncoded)
			if err != nil {
				t.Fatal(err)
			}
			if gotRaw := len(r.ProtoReflect().GetUnknown()) > 0; gotRaw != tc.preEncoded {
				t.Errorf("%s\ncarried as raw bytes: %t, want %t", tc.reason, gotRaw, tc.preEncoded)
			}
			got := &fnv1.Resource{}
			if err := proto.Unmarshal(mustMarshal(t, r), got); err != nil {
				t.Fatal(err)
			}
			want := &fnv1.Resource{Resource: obj.GetResource(), Ready: tc.ready}
			if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
			var fields []protoreflect.FieldNumber
			got.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
				fields = append(fields, fd.Number())
				return true
			})
			if len(fields) != 2 {
				t.Errorf("%s\nfields set once read back: %v, want the resource and its readiness", tc.reason, fields)
			}
		})
	}
}

func mustMarshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEncodeObject checks encodeObject writes, byte for byte, what protobuf
// writes for the same object as a Struct, deterministically: for values of
// every type the unstructured converter produces, and for every object
// every example composes.
func TestEncodeObject(t *testing.T) {
	cases := map[string]struct {
		reason string
		object map[string]any
	}{
		"Empty": {
			reason: "An empty object is an empty Struct.",
			object: map[string]any{},
		},
		"Scalars": {
			reason: "Strings (empty too), integers, floats, booleans and null are Values of their kind; integers are numbers.",
			object: map[string]any{"s": "v", "e": "", "i": int64(-3), "big": int64(1) << 53, "f": 0.25, "zero": int64(0), "t": true, "false": false, "null": nil},
		},
		"Nested": {
			reason: "Objects and lists nest, empty ones too, and keys come out sorted.",
			object: map[string]any{
				"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
					map[string]any{"name": "main", "args": []any{"--port", "8000"}, "resources": map[string]any{}},
				}}}},
				"list":  []any{},
				"mixed": []any{int64(1), "two", nil, []any{true}},
				"b":     "x", "a": "y", "ä": "unicode key",
			},
		},
		"LongStrings": {
			reason: "Lengths past one varint byte are written in full.",
			object: map[string]any{"data": map[string]any{"config.yaml": strings.Repeat("x", 70000)}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			assertEncodedLikeProto(t, tc.reason, tc.object)
		})
	}

	f := &Function{log: logging.NewNopLogger()}
	for _, ex := range loadExamples(t) {
		rsp, err := f.RunFunction(context.Background(), ex.request(t, false))
		if err != nil {
			t.Fatal(err)
		}
		for name, r := range rsp.GetDesired().GetResources() {
			assertEncodedLikeProto(t, ex.name+": "+name, r.GetResource().AsMap())
		}
	}
	if _, err := encodeObject(map[string]any{"bad": struct{}{}}); err == nil {
		t.Error("encodeObject(a struct{} value): want an error, as structpb.NewValue gives")
	}
}

func assertEncodedLikeProto(t *testing.T, what string, object map[string]any) {
	t.Helper()
	s, err := structpb.NewStruct(object)
	if err != nil {
		t.Fatal(err)
	}
	want, err := proto.MarshalOptions{Deterministic: true}.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := encodeObject(object)
	if err != nil {
		t.Fatalf("%s: encodeObject: %v", what, err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s: encodeObject wrote %d bytes that differ from protobuf's %d", what, len(got), len(want))
	}
}
