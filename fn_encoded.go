package main

import (
	"maps"
	"math"
	"slices"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
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

// Field numbers of google.protobuf.Struct, Value and ListValue.
const (
	structFields    protowire.Number = 1 // Struct.fields, map<string, Value>
	mapEntryKey     protowire.Number = 1
	mapEntryValue   protowire.Number = 2
	valueNull       protowire.Number = 1
	valueNumber     protowire.Number = 2
	valueString     protowire.Number = 3
	valueBool       protowire.Number = 4
	valueStruct     protowire.Number = 5
	valueList       protowire.Number = 6
	listValueValues protowire.Number = 1
)

// encodeObject encodes an object, as the unstructured converter writes
// it, straight into the bytes of the google.protobuf.Struct it is: the
// bytes proto.MarshalOptions{Deterministic: true} writes for
// structpb.NewStruct(m) (keys sorted), without building the Struct tree
// first, which took a third of composing a service.
func encodeObject(m map[string]any) ([]byte, error) {
	n, err := sizeStruct(m)
	if err != nil {
		return nil, err
	}
	return appendStruct(make([]byte, 0, n), m), nil
}

func sizeStruct(m map[string]any) (int, error) {
	n := 0
	for k, v := range m {
		vs, err := sizeValue(v)
		if err != nil {
			return 0, errors.Wrapf(err, "field %q", k)
		}
		e := protowire.SizeTag(mapEntryKey) + protowire.SizeBytes(len(k)) + protowire.SizeTag(mapEntryValue) + protowire.SizeBytes(vs)
		n += protowire.SizeTag(structFields) + protowire.SizeBytes(e)
	}
	return n, nil
}

func sizeList(l []any) (int, error) {
	n := 0
	for i, v := range l {
		vs, err := sizeValue(v)
		if err != nil {
			return 0, errors.Wrapf(err, "item %d", i)
		}
		n += protowire.SizeTag(listValueValues) + protowire.SizeBytes(vs)
	}
	return n, nil
}

// sizeValue is the size of the google.protobuf.Value v is, or an error for
// a type structpb.NewValue would refuse too.
func sizeValue(v any) (int, error) {
	switch t := v.(type) {
	case nil:
		return protowire.SizeTag(valueNull) + protowire.SizeVarint(0), nil
	case bool:
		return protowire.SizeTag(valueBool) + protowire.SizeVarint(0), nil
	case string:
		return protowire.SizeTag(valueString) + protowire.SizeBytes(len(t)), nil
	case int64, int32, int, float64, float32:
		return protowire.SizeTag(valueNumber) + protowire.SizeFixed64(), nil
	case map[string]any:
		n, err := sizeStruct(t)
		return protowire.SizeTag(valueStruct) + protowire.SizeBytes(n), err
	case []any:
		n, err := sizeList(t)
		return protowire.SizeTag(valueList) + protowire.SizeBytes(n), err
	default:
		return 0, errors.Errorf("cannot encode a %T", v)
	}
}

// appendStruct appends m's Struct; sizeStruct has checked its types.
func appendStruct(b []byte, m map[string]any) []byte {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		vs, _ := sizeValue(v)
		b = protowire.AppendTag(b, structFields, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(protowire.SizeTag(mapEntryKey)+protowire.SizeBytes(len(k))+protowire.SizeTag(mapEntryValue)+protowire.SizeBytes(vs)))
		b = protowire.AppendTag(b, mapEntryKey, protowire.BytesType)
		b = protowire.AppendString(b, k)
		b = protowire.AppendTag(b, mapEntryValue, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(vs))
		b = appendValue(b, v)
	}
	return b
}

func appendValue(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return protowire.AppendVarint(protowire.AppendTag(b, valueNull, protowire.VarintType), 0)
	case bool:
		return protowire.AppendVarint(protowire.AppendTag(b, valueBool, protowire.VarintType), protowire.EncodeBool(t))
	case string:
		return protowire.AppendString(protowire.AppendTag(b, valueString, protowire.BytesType), t)
	case int64:
		return appendNumber(b, float64(t))
	case int32:
		return appendNumber(b, float64(t))
	case int:
		return appendNumber(b, float64(t))
	case float32:
		return appendNumber(b, float64(t))
	case float64:
		return appendNumber(b, t)
	case map[string]any:
		n, _ := sizeStruct(t)
		return appendStruct(protowire.AppendVarint(protowire.AppendTag(b, valueStruct, protowire.BytesType), uint64(n)), t)
	case []any:
		n, _ := sizeList(t)
		b = protowire.AppendVarint(protowire.AppendTag(b, valueList, protowire.BytesType), uint64(n))
		for _, e := range t {
			es, _ := sizeValue(e)
			b = protowire.AppendVarint(protowire.AppendTag(b, listValueValues, protowire.BytesType), uint64(es))
			b = appendValue(b, e)
		}
		return b
	}
	return b
}

func appendNumber(b []byte, f float64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(b, valueNumber, protowire.Fixed64Type), math.Float64bits(f))
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
