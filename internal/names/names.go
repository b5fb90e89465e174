// Package names derives the names of composed resources: deterministic,
// readable, and valid DNS-1035 labels of at most 63 characters, so they are
// accepted for every kind, Services included.
package names

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

const (
	// MaxLength is the longest DNS-1035 label.
	MaxLength = 63

	// hashLength is how many hex characters of the full name's hash replace
	// what truncation cut off, so two long names stay distinct.
	hashLength = 8

	// prefix makes a name that does not start with a letter valid.
	prefix = "llm-"
)

// Child returns the name of a resource composed for the service named base,
// e.g. Child("llama", "epp") is "llama-epp". base may be any Kubernetes object
// name (a DNS-1123 subdomain: dots, leading digits, up to 253 characters);
// the result is always a DNS-1035 label. A name that has to be shortened
// keeps its readable start and ends in a hash of the whole.
func Child(base, suffix string) string {
	full := base
	if suffix != "" {
		full = base + "-" + suffix
	}
	clean := sanitize(full)
	if clean == full && len(clean) <= MaxLength {
		return clean
	}
	if len(clean) <= MaxLength && clean != full {
		// Sanitising changed the name: hash the original so that, say,
		// "a.b" and "a-b" do not collide.
		clean = strings.TrimRight(clean[:min(len(clean), MaxLength-hashLength-1)], "-")
		return clean + "-" + hash(full)
	}
	keep := MaxLength - hashLength - 1
	if suffix != "" && len(suffix)+1 < keep/2 {
		// Keep the suffix readable: truncate the base, not the role.
		b := sanitize(base)
		b = strings.TrimRight(b[:min(len(b), keep-len(suffix)-1)], "-")
		return b + "-" + suffix + "-" + hash(full)
	}
	return strings.TrimRight(clean[:keep], "-") + "-" + hash(full)
}

// sanitize maps any object name onto the DNS-1035 alphabet: lower case
// letters, digits and '-', starting with a letter and ending with an
// alphanumeric.
func sanitize(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(prefix))
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = prefix + out
	}
	return strings.TrimRight(out, "-")
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLength]
}
