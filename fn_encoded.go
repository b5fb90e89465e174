package main

import (
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"
)

// A plan keeps each composed resource as the encoded bytes of the
// google.protobuf.Struct the response carries, not as the Struct: a Struct
// tree takes about eleven times its encoded size in memory (the seed's
// composed resources: 171 KiB as Structs, 15 KiB encoded), and a plan is
// kept for every service the function serves. Served over gRPC, a response
// carries those bytes as they are (fnv1.Resource's field 1, written as an
// unknown field: protobuf writes unknown fields verbatim and a reader parses
// them as the field they are), so a call that finds its plan cached neither
// builds nor encodes a Struct tree.

// resourceField is fnv1.Resource's resource field, the composed object.
const resourceField protowire.Number = 1

// encodeStruct encodes s deterministically: the same object gives the
// same bytes, and so the same response.
func encodeStruct(s *structpb.Struct) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(s)
}

// desiredResource is the response's entry for a composed resource encoded
// as b. With preEncoded, b is carried as it is; otherwise it is decoded
// into the Struct, for callers in this process that read the response as
// messages rather than bytes (the tests).
func desiredResource(b []byte, ready fnv1.Ready, preEncoded bool) (*fnv1.Resource, error) {
	r := &fnv1.Resource{Ready: ready}
	if !preEncoded {
		r.Resource = &structpb.Struct{}
		return r, proto.Unmarshal(b, r.Resource)
	}
	raw := protowire.AppendTag(make([]byte, 0, len(b)+protowire.SizeTag(resourceField)+protowire.SizeVarint(uint64(len(b)))), resourceField, protowire.BytesType)
	raw = protowire.AppendBytes(raw, b)
	r.ProtoReflect().SetUnknown(protoreflect.RawFields(raw))
	return r, nil
}
