//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/util/retry"
)

// fieldManager is the test's server-side apply identity, standing for the
// user who applies manifests.
const fieldManager = "e2e"

// A cluster is the test's client of the API server: the dynamic client, and
// a REST mapper that learns the kinds CRDs and XRDs add.
type cluster struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
	// alive reports a stopped control plane process, so that waits fail at
	// once with its log rather than at their timeout.
	alive func() error
}

func newCluster(cfg *rest.Config, alive func() error) (*cluster, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &cluster{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), alive: alive}, nil
}

// resource returns the client for obj's kind, in its namespace if it has
// one. A kind discovery doesn't know yet is looked up again once: it may
// have been added since the last lookup.
func (c *cluster) resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.mapper.Reset()
		m, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return c.dyn.Resource(m.Resource).Namespace(obj.GetNamespace()), nil
	}
	return c.dyn.Resource(m.Resource), nil
}

// apply server-side applies obj as the test's field manager: fields an
// earlier apply set and obj leaves out are removed, as with kubectl apply
// --server-side.
func (c *cluster) apply(ctx context.Context, obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	r, err := c.resource(obj)
	if err != nil {
		return nil, err
	}
	out, err := r.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true})
	if err != nil {
		return nil, fmt.Errorf("cannot apply %s %s: %w", obj.GetKind(), key(obj.GetNamespace(), obj.GetName()), err)
	}
	return out, nil
}

// applyStatus writes obj's status as manager: the test playing the
// controller that owns the object's status. It writes the way those
// controllers do, by an update of the status subresource, not a
// server-side apply: the API server sorts managedFields entries of the
// same operation by time, so a status apply recorded after Crossplane's
// apply of the object lets Crossplane's next apply, though it changes
// nothing, move its entry behind and write the object again (measured in
// the soak, where it showed as a rewrite of an unchanged HTTPRoute). An
// update's entry sorts after every apply's, as a real controller's does.
func (c *cluster) applyStatus(ctx context.Context, manager string, obj *unstructured.Unstructured) error {
	r, err := c.resource(obj)
	if err != nil {
		return err
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := r.Get(ctx, obj.GetName(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Object["status"] = obj.Object["status"]
		_, err = r.UpdateStatus(ctx, cur, metav1.UpdateOptions{FieldManager: manager})
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot write the status of %s %s: %w", obj.GetKind(), key(obj.GetNamespace(), obj.GetName()), err)
	}
	return nil
}

// get returns the object of gvk, or nil if there is none.
func (c *cluster) get(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(namespace)
	r, err := c.resource(u)
	if err != nil {
		return nil, err
	}
	got, err := r.Get(ctx, name, metav1.GetOptions{})
	if kerrors.IsNotFound(err) {
		return nil, nil
	}
	return got, err
}

// remove deletes the object of gvk; one already gone is fine.
func (c *cluster) remove(ctx context.Context, gvk schema.GroupVersionKind, namespace, name string) error {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(namespace)
	r, err := c.resource(u)
	if err != nil {
		return err
	}
	if err := r.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !kerrors.IsNotFound(err) {
		return err
	}
	return nil
}

// applyFile applies every object in a YAML file.
func (c *cluster) applyFile(ctx context.Context, path string) error {
	objs, err := readObjects(path)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if _, err := c.apply(ctx, o); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// readObjects returns the objects of a multi-document YAML file.
func readObjects(path string) ([]*unstructured.Unstructured, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the repository's examples.
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
	return out, nil
}

// readObject returns the only object of a YAML file.
func readObject(t *testing.T, path string) *unstructured.Unstructured {
	t.Helper()
	objs, err := readObjects(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("%s: want one object, got %d", path, len(objs))
	}
	return objs[0]
}

// pollInterval is how often waits look at the API server.
const pollInterval = time.Second

// eventually polls check until it reports done, and fails the test when
// timeout passes first; the failure shows what check last reported
// (describe should say everything needed to debug it) and its last error.
// It also fails as soon as a control plane process stops.
func (c *cluster) eventually(t *testing.T, timeout time.Duration, what string, check func(ctx context.Context) (done bool, state string, err error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var state string
	var lastErr error
	for {
		if err := c.alive(); err != nil {
			t.Fatalf("while waiting for %s: %v", what, err)
		}
		done, s, err := check(ctx)
		if err == nil && done {
			return
		}
		if s != "" {
			state = s
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %s waiting for %s\nlast state:\n%s\nlast error: %v", timeout, what, indent(state), lastErr)
		case <-time.After(pollInterval):
		}
	}
}

// conditions returns the status.conditions of obj by type.
func conditions(obj *unstructured.Unstructured) map[string]map[string]any {
	out := map[string]map[string]any{}
	cs, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range cs {
		if m, ok := c.(map[string]any); ok {
			if typ, _ := m["type"].(string); typ != "" {
				out[typ] = m
			}
		}
	}
	return out
}

// conditionIs is true when obj has condition typ with status.
func conditionIs(obj *unstructured.Unstructured, typ, status string) bool {
	c, ok := conditions(obj)[typ]
	return ok && c["status"] == status
}

// describe says what an XR or claim reports: its conditions and what it
// composed, the state a failed wait shows.
func describe(obj *unstructured.Unstructured) string {
	if obj == nil {
		return "(does not exist)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s generation %d\n", obj.GetKind(), key(obj.GetNamespace(), obj.GetName()), obj.GetGeneration())
	cs, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range cs {
		m, _ := c.(map[string]any)
		fmt.Fprintf(&b, "  condition %v=%v reason=%v: %v\n", m["type"], m["status"], m["reason"], m["message"])
	}
	if u, ok, _ := unstructured.NestedString(obj.Object, "status", "url"); ok {
		fmt.Fprintf(&b, "  status.url %s\n", u)
	}
	refs := resourceRefs(obj)
	sort.Strings(refs)
	fmt.Fprintf(&b, "  composed (%d): %s\n", len(refs), strings.Join(refs, ", "))
	return b.String()
}

// resourceRefs lists what an XR says it composed as "Kind name": under
// spec.crossplane in a v2 XR, under spec in a legacy one.
func resourceRefs(xr *unstructured.Unstructured) []string {
	refs, ok, _ := unstructured.NestedSlice(xr.Object, "spec", "crossplane", "resourceRefs")
	if !ok {
		refs, _, _ = unstructured.NestedSlice(xr.Object, "spec", "resourceRefs")
	}
	var out []string
	for _, r := range refs {
		m, _ := r.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v", m["kind"], m["name"]))
	}
	return out
}

// events returns the events about an object, oldest first, one a line.
func (c *cluster) events(ctx context.Context, namespace, name string) string {
	list, err := c.dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "events"}).Namespace(namespace).
		List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + name})
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, e := range list.Items {
		typ, _, _ := unstructured.NestedString(e.Object, "type")
		reason, _, _ := unstructured.NestedString(e.Object, "reason")
		msg, _, _ := unstructured.NestedString(e.Object, "message")
		lines = append(lines, fmt.Sprintf("  event %s %s: %s", typ, reason, msg))
	}
	return strings.Join(lines, "\n")
}

func key(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
