package validate

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Environment variables that point TestAgainstAPIServer at a real API server,
// e.g. a local kube-apiserver as in /work/shared/reference/toolchain.md. The
// token must be allowed to create CRDs.
const (
	envAPIServer = "VALIDATE_KUBE_APISERVER" // e.g. https://127.0.0.1:6443
	envToken     = "VALIDATE_KUBE_TOKEN"
)

// TestAgainstAPIServer checks that a real API server accepts exactly the
// objects of TestValidate and TestWithCRD that the Validator accepts. It
// installs the CRDs the Validator reads, then sends each object twice with
// dryRun=All, so nothing is stored: as a create with fieldValidation=Strict,
// and as a server-side apply, which is how Crossplane applies composed
// resources. The API server accepts an object if both succeed. It is skipped
// unless VALIDATE_KUBE_APISERVER and VALIDATE_KUBE_TOKEN are set.
func TestAgainstAPIServer(t *testing.T) {
	server, token := os.Getenv(envAPIServer), os.Getenv(envToken)
	if server == "" || token == "" {
		t.Skipf("set %s and %s to check against a real API server", envAPIServer, envToken)
	}
	c := &apiClient{
		server: strings.TrimSuffix(server, "/"),
		token:  token,
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			// A throwaway local test server with a self-signed certificate.
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // See above.
		}},
	}

	// Install every CRD the Validator knows, and the test CRD.
	var mods []moduleVersion
	for _, s := range DefaultCRDSources() {
		mods = append(mods, moduleVersion{Path: s.Module, Version: s.Version})
	}
	dirs, err := moduleDirs(context.Background(), mods)
	if err != nil {
		t.Fatal(err)
	}
	crds, err := parseCRDs([]byte(widgetCRD))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range DefaultCRDSources() {
		// As the Validator reads them, so that the server checks objects
		// against the same, possibly transformed, CRDs.
		sc, err := s.readCRDs(dirs[moduleVersion{Path: s.Module, Version: s.Version}])
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sc {
			crds = append(crds, c.CRD)
		}
	}
	for _, crd := range crds {
		if err := c.ensureCRD(crd.Name, crd); err != nil {
			t.Fatalf("cannot install CRD %s: %v", crd.Name, err)
		}
	}

	v, err := NewValidator(WithCRD([]byte(widgetCRD)))
	if err != nil {
		t.Fatal(err)
	}
	cases := validateCases(t)
	for name, tc := range widgetCases(t) {
		cases["Widget"+name] = tc
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ours := v.Validate(tc.obj)
			theirs := c.dryRunCreate(tc.obj)
			if (ours == nil) != (theirs == nil) {
				t.Errorf("%s\nValidator: %v\nAPI server: %v", tc.reason, ours, theirs)
				return
			}
			t.Logf("both %s\nValidator: %v\nAPI server: %v", map[bool]string{true: "accept", false: "reject"}[ours == nil], ours, theirs)
		})
	}
}

// apiClient is the least client that can create objects; client-go would add
// a large dependency to this module for one test.
type apiClient struct {
	server string
	token  string
	http   *http.Client
}

func (c *apiClient) do(method, path string, body any, contentType string) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.server+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", contentType)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close() //nolint:errcheck // Read-only.
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// ensureCRD creates a CRD unless it exists, and waits until it is served.
func (c *apiClient) ensureCRD(name string, crd any) error {
	code, body, err := c.do(http.MethodPost, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd, "application/json")
	if err != nil {
		return err
	}
	if code != http.StatusCreated && code != http.StatusConflict {
		return fmt.Errorf("HTTP %d: %s", code, body)
	}
	for range 100 {
		_, body, err := c.do(http.MethodGet, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, nil, "")
		if err != nil {
			return err
		}
		got := struct {
			Status struct {
				Conditions []struct{ Type, Status string }
			}
		}{}
		if err := json.Unmarshal(body, &got); err != nil {
			return err
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == "Established" && cond.Status == "True" {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("CRD %s is not established", name)
}

// resource finds the resource and scope of a kind through discovery.
func (c *apiClient) resource(gvk schema.GroupVersionKind) (string, bool, error) {
	path := "/apis/" + gvk.Group + "/" + gvk.Version
	if gvk.Group == "" {
		path = "/api/" + gvk.Version
	}
	// Discovery of a new CRD's group can lag behind Established.
	for range 50 {
		code, body, err := c.do(http.MethodGet, path, nil, "")
		if err != nil {
			return "", false, err
		}
		if code == http.StatusOK {
			list := struct {
				Resources []struct {
					Name       string
					Kind       string
					Namespaced bool
				}
			}{}
			if err := json.Unmarshal(body, &list); err != nil {
				return "", false, err
			}
			for _, r := range list.Resources {
				if r.Kind == gvk.Kind && !strings.Contains(r.Name, "/") {
					return r.Name, r.Namespaced, nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", false, fmt.Errorf("the API server does not serve %s", gvk)
}

// dryRunCreate creates obj with dryRun=All and fieldValidation=Strict, then
// applies it server-side with dryRun=All, and returns the API server's first
// refusal, if any.
func (c *apiClient) dryRunCreate(obj map[string]any) error {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || kind == "" {
		return fmt.Errorf("no apiVersion or kind: the API server can't route it")
	}
	resource, namespaced, err := c.resource(gv.WithKind(kind))
	if err != nil {
		return err
	}
	prefix := "/apis/" + apiVersion
	if gv.Group == "" {
		prefix = "/api/" + apiVersion
	}
	path := prefix + "/" + resource
	if namespaced {
		ns := DefaultNamespace
		if meta, ok := obj["metadata"].(map[string]any); ok {
			if s, ok := meta["namespace"].(string); ok && s != "" {
				ns = s
			}
		}
		path = prefix + "/namespaces/" + ns + "/" + resource
	}
	code, body, err := c.do(http.MethodPost, path+"?dryRun=All&fieldValidation=Strict", obj, "application/json")
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return fmt.Errorf("create: HTTP %d: %s", code, body)
	}

	// Server-side apply needs a name; Crossplane always gives one.
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	if name == "" {
		return nil
	}
	code, body, err = c.do(http.MethodPatch, path+"/"+name+"?dryRun=All&force=true&fieldManager=validate-test", obj, "application/apply-patch+yaml")
	if err != nil {
		return err
	}
	if code/100 != 2 {
		return fmt.Errorf("server-side apply: HTTP %d: %s", code, body)
	}
	return nil
}
