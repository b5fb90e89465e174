package spec

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Scheme is where a model or adapter comes from.
type Scheme string

// Supported schemes.
const (
	SchemeHF  Scheme = "hf"
	SchemeS3  Scheme = "s3"
	SchemePVC Scheme = "pvc"
	SchemeOCI Scheme = "oci"
)

// supportedSchemes is the list quoted in error messages.
const supportedSchemes = "hf://, s3://, pvc:// or oci://"

// Source is a parsed model or adapter URI.
type Source struct {
	// URI as written.
	URI string
	// Scheme of the URI.
	Scheme Scheme
	// Claim is the PersistentVolumeClaim of a pvc:// URI.
	Claim string
	// Path inside the claim of a pvc:// URI; empty means the volume's root.
	Path string
	// Image is the image reference of an oci:// URI.
	Image string
}

// ParseSource parses a model or adapter URI, returning an error that says what
// is wrong and what is expected.
func ParseSource(uri string) (Source, error) {
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok {
		return Source{}, fmt.Errorf("not a URI: expected <scheme>://<location> with scheme %s", supportedSchemes)
	}
	s := Source{URI: uri, Scheme: Scheme(scheme)}
	switch s.Scheme {
	case SchemeHF:
		// hf://org/model or hf://model; an optional revision after '@' or a
		// file path is passed through to the downloader untouched.
		if rest == "" || strings.HasPrefix(rest, "/") {
			return Source{}, fmt.Errorf("hf:// URI needs a repository, e.g. hf://meta-llama/Llama-3.1-8B-Instruct")
		}
	case SchemeS3:
		if rest == "" || strings.HasPrefix(rest, "/") {
			return Source{}, fmt.Errorf("s3:// URI needs a bucket, e.g. s3://models/llama-3")
		}
	case SchemePVC:
		claim, path, _ := strings.Cut(rest, "/")
		if claim == "" {
			return Source{}, fmt.Errorf("pvc:// URI needs a claim name, e.g. pvc://models/llama-3")
		}
		if errs := validation.IsDNS1123Subdomain(claim); len(errs) > 0 {
			return Source{}, fmt.Errorf("claim name %q in pvc:// URI is not a valid object name: %s", claim, strings.Join(errs, "; "))
		}
		path = strings.Trim(path, "/")
		for _, seg := range strings.Split(path, "/") {
			if seg == ".." {
				return Source{}, fmt.Errorf("path in pvc:// URI must not contain '..'")
			}
		}
		s.Claim, s.Path = claim, path
	case SchemeOCI:
		if rest == "" {
			return Source{}, fmt.Errorf("oci:// URI needs an image reference, e.g. oci://registry.example.com/models/llama:1.0")
		}
		s.Image = rest
	default:
		return Source{}, fmt.Errorf("unsupported scheme %q: use %s", scheme, supportedSchemes)
	}
	return s, nil
}
