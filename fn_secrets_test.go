package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// Sentinels stand for credential values. The function never needs one: it
// passes Secrets by name. They are put wherever a value could reach it
// anyway (connection details, the XR's metadata, what is observed in the
// cluster, EnvironmentConfigs) and must never come out.
const (
	sentinelHFToken  = "sentinel-hf-token-7c1d"
	sentinelS3Secret = "sentinel-s3-secret-92ab"
	sentinelAPIKey   = "sentinel-api-key-e5f0"
)

var sentinels = []string{sentinelHFToken, sentinelS3Secret, sentinelAPIKey}

// credentialName matches env var names that hold credentials: such a var
// with a literal value in a composed object is a credential written into
// etcd in clear text, whatever its value.
var credentialName = regexp.MustCompile(`(?i)(TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|API_KEY|CREDENTIAL|PRIVATE_KEY)`)

// TestRunFunctionKeepsCredentialsByReference composes services that use
// credentials (a Hugging Face token and S3 keys from the Function input, a
// user's env from a Secret, a base configuration from an EnvironmentConfig)
// with credential values planted everywhere a request could carry them.
// Every byte of the response is searched for them, every composed env var
// named like a credential must come from a reference, and the references
// themselves must be there: a Secret's name may appear, its value never.
func TestRunFunctionKeepsCredentialsByReference(t *testing.T) {
	// envRef is a credential passed by reference: container, variable,
	// Secret name and key.
	type envRef struct{ container, env, secret, key string }
	// envFrom is a whole Secret passed as a container's environment.
	type envFrom struct{ container, secret string }

	cases := map[string]struct {
		reason   string
		xr       string
		input    string
		bases    []string
		wantRef  []envRef
		wantFrom []envFrom
		// wantKeyRefs are the Secrets a SecurityPolicy reads API keys
		// from, by name (input router.authentication.apiKey).
		wantKeyRefs []string
	}{
		"HFTokenFromInput": {
			reason: "The platform's token Secret reaches the download as a secretKeyRef, nothing else.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns",
			    "labels": {"example.com/hf-token": "` + sentinelHFToken + `"},
			    "annotations": {"example.com/hf-token": "` + sentinelHFToken + `", "example.com/api-key": "` + sentinelAPIKey + `"}},
			  "spec": {"model": {"uri": "hf://o/m", "lora": {"adapters": [{"name": "a", "uri": "hf://o/a"}]}},
			    "router": {"gateway": {}, "route": {}, "scheduler": {}}}}`,
			input:   invalidInput(`"storage": {"hfTokenSecretRef": {"name": "hf-token", "key": "token"}}`),
			wantRef: []envRef{{"storage-initializer", "HF_TOKEN", "hf-token", "token"}},
		},
		"S3CredentialsFromInput": {
			reason: "The platform's S3 Secret becomes the download's environment by reference.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns", "annotations": {"example.com/aws-secret-access-key": "` + sentinelS3Secret + `"}},
			  "spec": {"model": {"uri": "s3://models/llama"}}}`,
			input:    invalidInput(`"storage": {"s3CredentialsSecretRef": {"name": "s3-creds"}}`),
			wantFrom: []envFrom{{"storage-initializer", "s3-creds"}},
		},
		"S3CredentialsFromTemplate": {
			reason: "A user's envFrom on the download container is kept as written.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "s3://models/llama"},
			    "template": {"initContainers": [{"name": "storage-initializer", "envFrom": [{"secretRef": {"name": "team-s3"}}]}]}}}`,
			wantFrom: []envFrom{{"storage-initializer", "team-s3"}},
		},
		"UserEnvFromSecret": {
			reason: "A user's env var from a Secret stays a reference, on every workload and pod of a P/D multi-node service.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"model": {"uri": "hf://o/m"}, "parallelism": {"data": 4, "dataLocal": 2},
			    "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "2"}},
			      "env": [{"name": "VLLM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "vllm-api-key", "key": "key"}}}]}]},
			    "worker": {},
			    "prefill": {"template": {"containers": [{"name": "main",
			      "env": [{"name": "VLLM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "vllm-api-key", "key": "key"}}}]}]}},
			    "router": {"gateway": {}, "route": {}, "scheduler": {}}}}`,
			input:   invalidInput(`"storage": {"hfTokenSecretRef": {"name": "hf-token", "key": "token"}}`),
			wantRef: []envRef{{"main", "VLLM_API_KEY", "vllm-api-key", "key"}, {"storage-initializer", "HF_TOKEN", "hf-token", "token"}},
		},
		"APIKeysFromInput": {
			reason: "The platform's API key Secrets reach Envoy Gateway's SecurityPolicy by name; a key planted anywhere never comes out.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns", "annotations": {"example.com/api-key": "` + sentinelAPIKey + `"}},
			  "spec": {"model": {"uri": "hf://o/m"}, "router": {"gateway": {}, "route": {}, "scheduler": {}}}}`,
			input:       invalidInput(`"router": {"authentication": {"gateway": "EnvoyGateway", "apiKey": {"secretRefs": [{"name": "llm-api-keys"}]}}}`),
			wantKeyRefs: []string{"llm-api-keys"},
		},
		"BaseConfigurationFromEnvironmentConfig": {
			reason: "Only data.spec of an EnvironmentConfig is read: a credential beside it stays there, a reference in it is kept.",
			xr: `{"apiVersion": "serving.kserve.io/v1alpha1", "kind": "LLMInferenceService",
			  "metadata": {"name": "m", "namespace": "ns"},
			  "spec": {"baseRefs": [{"name": "team"}], "model": {"uri": "hf://o/m"}}}`,
			bases: []string{`{"apiVersion": "apiextensions.crossplane.io/v1beta1", "kind": "EnvironmentConfig",
			  "metadata": {"name": "team"},
			  "data": {"hfToken": "` + sentinelHFToken + `", "spec": {"template": {"containers": [{"name": "main",
			    "env": [{"name": "VLLM_API_KEY", "valueFrom": {"secretKeyRef": {"name": "team-api-key", "key": "key"}}}]}]}}}}`},
			wantRef: []envRef{{"main", "VLLM_API_KEY", "team-api-key", "key"}},
		},
	}

	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := plantCredentials(t, newRequest(tc.xr, nil, tc.input))
			if tc.bases != nil {
				req = withBases(t, req, tc.bases...)
			}
			rsp, err := f.RunFunction(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if s := summarise(rsp); s.Fatal != "" {
				t.Fatalf("%s\nunexpected Fatal result: %s", tc.reason, s.Fatal)
			}
			if len(rsp.GetDesired().GetResources()) == 0 {
				t.Fatalf("%s\nnothing composed: nothing was checked", tc.reason)
			}
			assertNoSentinel(t, rsp)

			refs := map[envRef]bool{}
			froms := map[envFrom]bool{}
			var keyRefs []string
			for res, r := range rsp.GetDesired().GetResources() {
				keyRefs = append(keyRefs, apiKeyRefsOf(r.GetResource().AsMap())...)
				for _, c := range containersOf(r.GetResource().AsMap()) {
					cname, _ := c["name"].(string)
					for _, e := range listOfMaps(c["env"]) {
						ename, _ := e["name"].(string)
						if v, _ := e["value"].(string); v != "" && credentialName.MatchString(ename) {
							t.Errorf("%s\n%s: container %s has credential %s as a literal value", tc.reason, res, cname, ename)
						}
						vf, _ := e["valueFrom"].(map[string]any)
						if ref, ok := vf["secretKeyRef"].(map[string]any); ok {
							secret, _ := ref["name"].(string)
							key, _ := ref["key"].(string)
							refs[envRef{cname, ename, secret, key}] = true
						}
					}
					for _, e := range listOfMaps(c["envFrom"]) {
						if ref, ok := e["secretRef"].(map[string]any); ok {
							secret, _ := ref["name"].(string)
							froms[envFrom{cname, secret}] = true
						}
					}
				}
			}
			for _, w := range tc.wantRef {
				if !refs[w] {
					t.Errorf("%s\nno container %s passes %s from Secret %s key %s; references composed: %v", tc.reason, w.container, w.env, w.secret, w.key, refs)
				}
			}
			for _, w := range tc.wantFrom {
				if !froms[w] {
					t.Errorf("%s\ncontainer %s does not take its environment from Secret %s; envFrom composed: %v", tc.reason, w.container, w.secret, froms)
				}
			}
			if diff := cmp.Diff(tc.wantKeyRefs, keyRefs); diff != "" {
				t.Errorf("%s\nAPI key Secrets referenced: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// apiKeyRefsOf are the names of the Secrets a SecurityPolicy reads API
// keys from, nil for other objects.
func apiKeyRefsOf(o map[string]any) []string {
	if o["kind"] != "SecurityPolicy" {
		return nil
	}
	spec, _ := o["spec"].(map[string]any)
	auth, _ := spec["apiKeyAuth"].(map[string]any)
	var out []string
	for _, r := range listOfMaps(auth["credentialRefs"]) {
		n, _ := r["name"].(string)
		out = append(out, n)
	}
	return out
}

// TestRunFunctionRefusesInlineCredentials proves a credential written as a
// literal value is refused, wherever in the pod and whichever layer of
// configuration brings it, and that the refusal does not repeat the value:
// the message lands in the XR's events and conditions.
func TestRunFunctionRefusesInlineCredentials(t *testing.T) {
	cases := map[string]struct {
		xr string
		// bases are the objects Crossplane reads for spec.baseRefs.
		bases []string
		want  string
	}{
		"OnTheModelServer": {
			xr: invalidXR(`{"model": {"uri": "hf://o/m"},
			  "template": {"containers": [{"name": "main", "env": [{"name": "HF_TOKEN", "value": "` + sentinelHFToken + `"}]}]}}`),
			want: "spec.template.containers[main].env[HF_TOKEN].value",
		},
		"OnTheDownload": {
			xr: invalidXR(`{"model": {"uri": "s3://models/llama"},
			  "template": {"initContainers": [{"name": "storage-initializer", "env": [{"name": "AWS_SECRET_ACCESS_KEY", "value": "` + sentinelS3Secret + `"}]}]}}`),
			want: "spec.template.initContainers[storage-initializer].env[AWS_SECRET_ACCESS_KEY].value",
		},
		"FromABaseConfiguration": {
			xr: invalidXR(`{"baseRefs": [{"name": "team"}], "model": {"uri": "hf://o/m"}}`),
			bases: []string{`{"apiVersion": "apiextensions.crossplane.io/v1beta1", "kind": "EnvironmentConfig",
			  "metadata": {"name": "team"},
			  "data": {"spec": {"template": {"containers": [{"name": "main", "env": [{"name": "HF_TOKEN", "value": "` + sentinelHFToken + `"}]}]}}}}`},
			want: "spec.template.containers[main].env[HF_TOKEN].value",
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(tc.xr, nil, "")
			if tc.bases != nil {
				req = withBases(t, req, tc.bases...)
			}
			rsp, err := f.RunFunction(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			fatal := summarise(rsp).Fatal
			if !strings.Contains(fatal, tc.want) || !strings.Contains(fatal, "by reference") {
				t.Errorf("want a Fatal result naming %s and asking for a reference, got %q", tc.want, fatal)
			}
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Errorf("a refused spec desires %d resources, want none", n)
			}
			assertNoSentinel(t, rsp)
		})
	}
}

// plantCredentials adds credential values where a request can carry them
// without the spec asking for them: the connection details of the XR and
// of observed composed resources, and an observed Deployment someone gave
// a literal token by hand. The function composes from the spec, so none of
// them may be copied.
func plantCredentials(t *testing.T, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionRequest {
	t.Helper()
	details := map[string][]byte{}
	for i, s := range sentinels {
		details["key-"+string(rune('a'+i))] = []byte(s)
	}
	req.Observed.Composite.ConnectionDetails = details
	tampered, err := structpb.NewStruct(map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "m-workload", "namespace": "ns", "generation": 1.0},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{
			"name": "main", "env": []any{map[string]any{"name": "HF_TOKEN", "value": sentinelHFToken}},
		}}}}},
		"status": map[string]any{"observedGeneration": 1.0, "conditions": []any{map[string]any{"type": "Available", "status": "True"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	req.Observed.Resources = map[string]*fnv1.Resource{
		"workload-deployment": {Resource: tampered, ConnectionDetails: details},
	}
	return req
}

// assertNoSentinel searches the whole response, as it goes over the wire,
// for the credential values: strings and bytes are stored verbatim in the
// protobuf encoding, so nothing can hide one.
func assertNoSentinel(t *testing.T, rsp *fnv1.RunFunctionResponse) {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(rsp)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sentinels {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("the response carries the credential value %q", s)
		}
	}
}

// containersOf returns every container and init container in a composed
// object, wherever its pod templates are.
func containersOf(o any) []map[string]any {
	var out []map[string]any
	switch t := o.(type) {
	case map[string]any:
		for k, v := range t {
			if k == "containers" || k == "initContainers" {
				out = append(out, listOfMaps(v)...)
				continue
			}
			out = append(out, containersOf(v)...)
		}
	case []any:
		for _, v := range t {
			out = append(out, containersOf(v)...)
		}
	}
	return out
}

func listOfMaps(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// TestRunFunctionRedactsPodMessages proves a credential in what a pod
// says (a termination message is the last lines of a program's output,
// which may print its environment or its command line) never reaches the
// response, while the diagnosis does.
func TestRunFunctionRedactsPodMessages(t *testing.T) {
	cases := map[string]struct {
		reason string
		status string
		want   string
	}{
		"EnvironmentInTraceback": {
			reason: "A traceback that prints the environment.",
			status: crashing("environ({'HF_TOKEN': '" + sentinelHFToken + "', 'AWS_SECRET_ACCESS_KEY': '" + sentinelS3Secret + "'})\nRuntimeError: Engine core initialization failed"),
			want:   "CrashLoopBackOff",
		},
		"CommandLine": {
			reason: "vLLM's own command line, with its API key, in an argument error.",
			status: crashing("vllm serve /mnt/models --api-key " + sentinelAPIKey + "\nvllm serve: error: unrecognized arguments: --api-key=" + sentinelAPIKey),
			want:   "CrashLoopBackOff",
		},
		"DownloadURLAndHeader": {
			reason: "A download that quotes its URL with credentials and its Authorization header.",
			status: `{"phase": "Pending", "initContainerStatuses": [{"name": "storage-initializer", "restartCount": 1, "ready": false, "image": "", "imageID": "",
			  "state": {"waiting": {"reason": "CrashLoopBackOff"}},
			  "lastState": {"terminated": {"exitCode": 1, "message": "GET https://user:` + sentinelS3Secret + `@models.example.com/m Authorization: Bearer ` + sentinelHFToken + ` token=` + sentinelAPIKey + ` 401 Unauthorized huggingface.co"}}}]}`,
			want: "InitContainerFailed",
		},
		"SchedulerAndKubelet": {
			reason: "An image pull message quoting credentials.",
			status: `{"phase": "Pending", "containerStatuses": [{"name": "main", "restartCount": 0, "ready": false, "image": "", "imageID": "",
			  "state": {"waiting": {"reason": "ErrImagePull", "message": "pull with password=` + sentinelAPIKey + ` failed: https://u:` + sentinelS3Secret + `@registry.example.com"}}}]}`,
			want: "ImagePullFailed",
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			observed := seedWith(map[string]string{"workload-deployment": unavailable})
			req := withRequired(newRequest(seedXR, observed, ""), map[string][]string{
				"pods/workload-deployment": {seedPod(t, "llama-3-8b-workload-a", tc.status)},
			})
			rsp, err := f.RunFunction(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if got := summarise(rsp).Conditions["MainWorkloadReady"]; got != "STATUS_CONDITION_FALSE/"+tc.want {
				t.Fatalf("%s\nMainWorkloadReady is %s, want the diagnosis %s: nothing was checked", tc.reason, got, tc.want)
			}
			assertNoSentinel(t, rsp)
		})
	}
}
