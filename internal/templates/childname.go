package templates

import (
	"crypto/md5" //nolint:gosec // A name, not a secret: KServe's names are md5-derived, so these must be too.
	"encoding/hex"
)

// Limits of kmeta.ChildName, the naming rule of knative.dev/pkg that KServe
// names every child of an LLMInferenceService with.
const (
	// childNameMax is the longest name it makes: a DNS-1123 label.
	childNameMax = 63
	// childNameHead is what is left of the parent next to an md5 in hex
	// (32 characters).
	childNameHead = childNameMax - 2*md5.Size
)

// ChildName is the template function ChildName: the name KServe's
// kmeta.ChildName gives the child of parent with suffix, byte for byte, so a
// KServe template names what KServe would name. parent+suffix when it fits
// in 63 bytes. Otherwise, with a suffix shorter than 31 bytes, the parent
// is cut so that its head, the md5 of the whole parent in hex and the
// suffix make 63 bytes. With a longer suffix, the head of the parent (at
// most 31 bytes) is followed by the md5 of parent+suffix and as much of
// the suffix as fits, and trailing bytes that are not ASCII letters or
// digits are dropped.
//
// The function names its own objects with internal/names.Child, not with
// this: Child(n, "epp") equals ChildName(n, "-epp") while n is a DNS-1035
// label and n-epp fits in 63 characters, and differs beyond (its hash is
// another, and it also rewrites dots, capitals and leading digits).
func ChildName(parent, suffix string) string {
	if len(parent)+len(suffix) <= childNameMax {
		return parent + suffix
	}
	if len(suffix) < childNameHead {
		sum := md5.Sum([]byte(parent)) //nolint:gosec // See the import.
		return parent[:childNameHead-len(suffix)] + hex.EncodeToString(sum[:]) + suffix
	}
	sum := md5.Sum([]byte(parent + suffix)) //nolint:gosec // See the import.
	name := parent[:min(len(parent), childNameHead)] + hex.EncodeToString(sum[:])
	if room := childNameMax - len(name); room > 0 {
		name += suffix[:room]
	}
	end := len(name)
	for end > 0 && !isASCIIAlphanumeric(name[end-1]) {
		end--
	}
	return name[:end]
}

func isASCIIAlphanumeric(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
