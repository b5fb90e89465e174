package diagnose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedact(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   string
	}{
		"HFToken": {
			reason: "A Hugging Face token is redacted by its shape.",
			in:     "using token hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
			want:   "using token [redacted]",
		},
		"Assignment": {
			reason: "A value after a name of a credential and an equals sign or colon.",
			in:     `HF_TOKEN=abc AWS_SECRET_ACCESS_KEY: xyz "api_key": "k1" password=p`,
			want:   `HF_TOKEN=[redacted] AWS_SECRET_ACCESS_KEY: [redacted] "api_key": "[redacted]" password=[redacted]`,
		},
		"Flag": {
			reason: "vLLM's --api-key flag with its value after a space.",
			in:     "vllm serve --api-key s3cr3t-value --port 8000",
			want:   "vllm serve --api-key [redacted] --port 8000",
		},
		"BearerHeader": {
			reason: "An Authorization header's value.",
			in:     "Authorization: Bearer abcdef.123456",
			want:   "Authorization: Bearer [redacted]",
		},
		"URLUserInfo": {
			reason: "A password in a URL.",
			in:     "cannot fetch https://user:pa55@registry.example.com/v2/",
			want:   "cannot fetch https://[redacted]@registry.example.com/v2/",
		},
		"AWSKeyID": {
			reason: "An AWS access key id.",
			in:     "InvalidAccessKeyId: AKIAABCDEFGHIJKLMNOP does not exist",
			want:   "InvalidAccessKeyId: [redacted] does not exist",
		},
		"Opaque": {
			reason: "A long word mixing letters and digits.",
			in:     "key Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg== rejected",
			want:   "key [redacted] rejected",
		},
		"ProseKept": {
			reason: "Words about credentials without a value stay, as do model names, URLs and digests.",
			in: "401 Client Error: Invalid token, token expired, unauthorized for url https://huggingface.co/api/models/meta-llama/Meta-Llama-3.1-8B-Instruct " +
				"image sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef DeepSeek-R1-Distill-Qwen-32B-Instruct-0123456789",
			want: "401 Client Error: Invalid token, token expired, unauthorized for url https://huggingface.co/api/models/meta-llama/Meta-Llama-3.1-8B-Instruct " +
				"image sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef DeepSeek-R1-Distill-Qwen-32B-Instruct-0123456789",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Redact(tc.in)); diff != "" {
				t.Errorf("%s\nRedact(%q): -want, +got:\n%s", tc.reason, tc.in, diff)
			}
		})
	}
}
