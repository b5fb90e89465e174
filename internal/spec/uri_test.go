package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseSource covers the sources a model or adapter comes from; the
// refusals are in TestValidate, where users meet them.
func TestParseSource(t *testing.T) {
	cases := map[string]struct {
		uri  string
		want Source
	}{
		"HuggingFace":        {uri: "hf://meta-llama/Llama-3.1-8B-Instruct", want: Source{URI: "hf://meta-llama/Llama-3.1-8B-Instruct", Scheme: SchemeHF}},
		"HuggingFaceNoOrg":   {uri: "hf://gpt2", want: Source{URI: "hf://gpt2", Scheme: SchemeHF}},
		"S3":                 {uri: "s3://models/llama-3", want: Source{URI: "s3://models/llama-3", Scheme: SchemeS3}},
		"PVCWithPath":        {uri: "pvc://models/llama/3.1/", want: Source{URI: "pvc://models/llama/3.1/", Scheme: SchemePVC, Claim: "models", Path: "llama/3.1"}},
		"PVCRoot":            {uri: "pvc://models", want: Source{URI: "pvc://models", Scheme: SchemePVC, Claim: "models"}},
		"OCI":                {uri: "oci://registry.example.com/models/llama:1.0", want: Source{URI: "oci://registry.example.com/models/llama:1.0", Scheme: SchemeOCI, Image: "registry.example.com/models/llama:1.0"}},
		"OCIDigest":          {uri: "oci://r.example.com/m@sha256:abc", want: Source{URI: "oci://r.example.com/m@sha256:abc", Scheme: SchemeOCI, Image: "r.example.com/m@sha256:abc"}},
		"HuggingFaceAtRev":   {uri: "hf://o/m@main", want: Source{URI: "hf://o/m@main", Scheme: SchemeHF}},
		"PVCDotsInFileNames": {uri: "pvc://models/a..b", want: Source{URI: "pvc://models/a..b", Scheme: SchemePVC, Claim: "models", Path: "a..b"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseSource(tc.uri)
			if err != nil {
				t.Fatalf("ParseSource(%q): %v", tc.uri, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseSource(%q): -want, +got:\n%s", tc.uri, diff)
			}
		})
	}
}
