//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// The soak: many services on the real control plane, and faults injected
// while they exist. It runs with `make soak` (E2E_SOAK=1), on a control
// plane of its own, so that restarting kube-apiserver and etcd disturbs no
// other scenario.
const (
	// soakServices is how many XRs the soak applies at once.
	soakServices = 200
	// soakNamespaces is how many namespaces they are spread over.
	soakNamespaces = 10
	// soakInvalid is how many of them the bad-input scenario breaks at once.
	soakInvalid = 50
	// soakNamespacePrefix names the soak's namespaces: soak-0, soak-1, ...
	soakNamespacePrefix = "soak-"
	// soakTouchAn is the annotation the soak changes on an XR to make
	// Crossplane reconcile it, and so call the function, without changing
	// what it composes: the function reads only annotations of its own
	// prefixes.
	soakTouchAn = "soak.e2e.example.com/touch"
	// soakConverge bounds every wait for the whole fleet to converge.
	soakConverge = 10 * time.Minute
	// soakFirstConverge bounds the wait for the fleet's first convergence,
	// every object created: on a 2-core machine shared with other builds
	// it took 10 minutes.
	soakFirstConverge = 15 * time.Minute
	// soakPoll is how often a wait looks at the whole fleet: each look
	// lists every XR and composed object, a load of its own on the API
	// server.
	soakPoll = 5 * time.Second
)

// soakPatterns are the examples the soak's services are copies of, under
// their own names and namespaces: every one composes only kinds whose status
// the test plays (Deployments, Gateways, HTTPRoutes, InferencePools), so
// each can become Ready here, and two build on base configurations in the
// cluster, which a fault deletes. (Not example/kserve-flags: its picker args
// name its own pool, which a copy under another name must not.)
var soakPatterns = []string{
	"single-node", "pd", "no-scheduler", "tensor-parallel", "kv-cache-offloading",
	"pd-kv-cache-offloading", "confidential", "tracing", "base-configs", "llmisvc-config",
}

// TestSoak applies soakServices XRs of mixed patterns at once, waits for
// every one to be Synced and Ready with everything it composes present,
// reports the time that took and the function's CPU time and peak RSS, and
// then injects one fault after another while they exist. Each fault is
// checked against the UID and resourceVersion of every composed object
// before it: nothing deleted, nothing rewritten, and everything Synced and
// Ready again.
func TestSoak(t *testing.T) {
	if os.Getenv("E2E_SOAK") == "" {
		t.Skip("the soak runs with `make soak` (E2E_SOAK=1): a control plane of its own, 200 services and faults")
	}
	e := setUp(t)
	f := &fleet{e: e, t: t, written: map[types.UID]int64{}, kinds: map[schema.GroupVersionKind]bool{}, history: newHistory(t.Context())}
	scenario := func(name string, fn func(t *testing.T)) bool {
		began := time.Now()
		ok := t.Run(name, fn)
		e.tm.record("scenario: "+name, time.Since(began))
		return ok
	}
	ok := scenario(fmt.Sprintf("%d services Ready", soakServices), f.testAllReady)
	for _, s := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"function killed mid-reconcile", f.testFunctionKilled},
		{"function unreachable", f.testFunctionUnreachable},
		{"function certificate untrusted", f.testUntrustedCertificate},
		{"kube-apiserver restarted", f.testAPIServerRestarted},
		{"etcd restarted", f.testEtcdRestarted},
		{"Crossplane restarted", f.testCrossplaneRestarted},
		{"EnvironmentConfig deleted", f.testEnvironmentConfigDeleted},
		{"LLMInferenceServiceConfig deleted", f.testServiceConfigDeleted},
		{"concurrent updates", f.testConcurrentUpdates},
		{fmt.Sprintf("%d invalid at once", soakInvalid), f.testInvalidAtScale},
	} {
		// Each fault starts from the converged fleet the one before left.
		if !ok {
			t.Run(s.name, func(t *testing.T) { t.Skip("the fleet did not converge before this fault") })
			continue
		}
		ok = scenario(s.name, s.fn)
	}
}

// A fleet is the soak's services and what the test knows of them.
type fleet struct {
	e *env
	// t is TestSoak's: a process a fault starts again lives until it ends.
	t *testing.T
	// xrs are the XRs as applied, and patterns the example each copies.
	xrs      []*unstructured.Unstructured
	patterns []string
	// required are the base configurations the services read.
	required []*unstructured.Unstructured
	// kinds are the composed kinds, learned from what the XRs list.
	kinds map[schema.GroupVersionKind]bool
	// written is the generation of each object whose status the test
	// wrote as its controller: it writes each generation once, so any
	// other change of a resourceVersion is someone else's.
	written map[types.UID]int64
	// last is the snapshot the next fault is checked against.
	last snapshot
	// history is what a watch saw of each composed object between two
	// snapshots, for a rewrite's report.
	history *history
}

// testAllReady applies the fleet at once and waits for every service to be
// Synced and Ready with everything it composes present.
func (f *fleet) testAllReady(t *testing.T) {
	ctx := context.Background()
	f.build(t)
	namespaces := map[string]bool{systemNamespace: true}
	for _, o := range append(slices.Clone(f.xrs), f.required...) {
		namespaces[o.GetNamespace()] = true
	}
	delete(namespaces, "")
	for _, n := range slices.Sorted(maps.Keys(namespaces)) {
		ns := &unstructured.Unstructured{}
		ns.SetGroupVersionKind(namespaceGVK)
		ns.SetName(n)
		if _, err := f.e.apply(ctx, ns); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range f.required {
		if _, err := f.e.apply(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	calls := f.functionCalls(t)
	began := time.Now()
	if err := f.each(len(f.xrs), func(i int) error {
		_, err := f.e.apply(ctx, f.xrs[i])
		return err
	}); err != nil {
		t.Fatal(err)
	}
	applied := time.Since(began)
	st := f.waitConverged(t, "every service Synced and Ready", soakFirstConverge)
	took := time.Since(began)
	f.last = st.snapshot()
	fn := f.e.procs.named("function")
	cpu, rss, err := processUsage(fn.cmd.Process.Pid)
	if err != nil {
		t.Errorf("cannot read the function's CPU time and peak RSS: %v", err)
	}
	t.Logf("SOAK: %d services in %d namespaces (%d patterns), %d composed objects: applied in %s, all Synced and Ready %s after the first apply; "+
		"the function: %d calls, CPU time %s (user+system), peak RSS %.1f MiB",
		len(f.xrs), soakNamespaces, len(soakPatterns), len(f.last.objects), applied.Round(10*time.Millisecond), took.Round(time.Second),
		f.functionCalls(t)-calls, cpu.Round(10*time.Millisecond), float64(rss)/(1<<20))
}

// build makes the fleet's XRs, soakServices copies of soakPatterns spread
// over soakNamespaces namespaces, and the base configurations they read:
// those of a pattern's namespace are copied into every soak namespace.
func (f *fleet) build(t *testing.T) {
	t.Helper()
	templates := map[string]*unstructured.Unstructured{}
	for _, p := range soakPatterns {
		xr := f.e.exampleXR(t, p)
		templates[p] = xr
		ex := f.e.example(t, p)
		if ex.Required == "" {
			continue
		}
		objs, err := readObjects(ex.Required)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			unstructured.RemoveNestedField(o.Object, "status")
			if o.GetNamespace() != xr.GetNamespace() {
				f.required = append(f.required, o)
				continue
			}
			for n := range soakNamespaces {
				c := o.DeepCopy()
				c.SetNamespace(soakNamespace(n))
				f.required = append(f.required, c)
			}
		}
	}
	for i := range soakServices {
		p := soakPatterns[i%len(soakPatterns)]
		xr := templates[p].DeepCopy()
		xr.SetName(fmt.Sprintf("%s-%d", p, i))
		xr.SetNamespace(soakNamespace(i % soakNamespaces))
		f.xrs = append(f.xrs, xr)
		f.patterns = append(f.patterns, p)
	}
	for _, o := range append(servingObjects("x"), schedulerObjects("x")...) {
		f.kinds[o.gvk] = true
	}
}

func soakNamespace(n int) string { return soakNamespacePrefix + strconv.Itoa(n) }

// each runs fn for 0..n-1 on a few workers at once, as many clients would,
// and returns the errors joined.
func (f *fleet) each(n int, fn func(i int) error) error {
	const workers = 8
	var (
		mu   sync.Mutex
		errs []string
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err.Error())
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("%d of %d failed; the first: %s", len(errs), n, errs[0])
	}
	return nil
}

// indexes returns the indexes of the XRs for which keep is true.
func (f *fleet) indexes(keep func(i int) bool) []int {
	var out []int
	for i := range f.xrs {
		if keep(i) {
			out = append(out, i)
		}
	}
	return out
}

// all is every XR's index.
func (f *fleet) all() []int { return f.indexes(func(int) bool { return true }) }

// touch changes the soak's annotation on the XRs at idx, so that Crossplane
// reconciles each once more.
func (f *fleet) touch(t *testing.T, idx []int) {
	t.Helper()
	value := strconv.FormatInt(time.Now().UnixNano(), 10)
	patch := fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, soakTouchAn, value)
	if err := f.each(len(idx), func(i int) error { return f.patch(f.xrs[idx[i]], patch) }); err != nil {
		t.Fatalf("cannot touch the XRs: %v", err)
	}
}

// patch merge-patches an XR as a second client of the API server would.
func (f *fleet) patch(xr *unstructured.Unstructured, patch []byte) error {
	r, err := f.e.resource(xr)
	if err != nil {
		return err
	}
	if _, err := r.Patch(context.Background(), xr.GetName(), types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "e2e-soak"}); err != nil {
		return fmt.Errorf("cannot patch %s: %w", key(xr.GetNamespace(), xr.GetName()), err)
	}
	return nil
}

// functionCalls counts the calls the function has answered with composed
// resources, from its debug log: one line each.
func (f *fleet) functionCalls(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(f.e.procs.named("function").log)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("Composed LLMInferenceService"))
}

// reconcileAll makes Crossplane reconcile every XR again and waits until the
// function has answered as many calls: what follows checks what those
// reconciles did, not what was there before them.
func (f *fleet) reconcileAll(t *testing.T, idx []int) {
	t.Helper()
	before := f.functionCalls(t)
	f.touch(t, idx)
	f.e.eventually(t, soakConverge, fmt.Sprintf("%d more calls of the function", len(idx)), func(context.Context) (bool, string, error) {
		n := f.functionCalls(t) - before
		return n >= len(idx), fmt.Sprintf("%d calls so far", n), nil
	})
}

// list returns the objects of gvk in the soak's namespaces (and the
// cluster-scoped ones).
func (f *fleet) list(ctx context.Context, gvk schema.GroupVersionKind) ([]*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	r, err := f.e.resource(u)
	if err != nil {
		return nil, err
	}
	l, err := r.List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("cannot list %s: %w", gvk.Kind, err)
	}
	var out []*unstructured.Unstructured
	for i := range l.Items {
		if strings.HasPrefix(l.Items[i].GetNamespace(), soakNamespacePrefix) {
			out = append(out, &l.Items[i])
		}
	}
	return out, nil
}

// playControllers writes, once for each generation, the status the
// controllers of the fleet's Deployments, Gateways, HTTPRoutes and
// InferencePools would write (controllers_test.go). An InferencePool is
// accepted by the Gateway of its XR.
func (f *fleet) playControllers(ctx context.Context) error {
	gateways := map[types.UID]string{}
	for _, gvk := range []schema.GroupVersionKind{deploymentGVK, gatewayGVK, httpRouteGVK, inferencePoolGVK} {
		objs, err := f.list(ctx, gvk)
		if err != nil {
			return err
		}
		for _, o := range objs {
			owner := controllerOf(o)
			if gvk == gatewayGVK {
				gateways[owner] = o.GetName()
			}
			if g, ok := f.written[o.GetUID()]; ok && g == o.GetGeneration() {
				continue
			}
			var st *unstructured.Unstructured
			var manager string
			switch gvk {
			case deploymentGVK:
				st, manager = deploymentAvailable(o), deploymentController
			case gatewayGVK:
				st, manager = gatewayProgrammed(o), gatewayController
			case httpRouteGVK:
				st, manager = routeAccepted(o), gatewayController
			default:
				gw, ok := gateways[owner]
				if !ok {
					continue
				}
				st, manager = poolAccepted(o, gw), poolController
			}
			if err := f.e.applyStatus(ctx, manager, st); err != nil {
				return err
			}
			f.written[o.GetUID()] = o.GetGeneration()
		}
	}
	return nil
}

// controllerOf is the UID of obj's controller.
func controllerOf(obj *unstructured.Unstructured) types.UID {
	for _, r := range obj.GetOwnerReferences() {
		if r.Controller != nil && *r.Controller {
			return r.UID
		}
	}
	return ""
}

// A fleetState is what the API server holds of the fleet at one time.
type fleetState struct {
	// xrs by namespace/name, objects by "Kind namespace/name".
	xrs     map[string]*unstructured.Unstructured
	objects map[string]*unstructured.Unstructured
}

func objectKey(o *unstructured.Unstructured) string {
	return o.GetKind() + " " + key(o.GetNamespace(), o.GetName())
}

// state lists the fleet's XRs and every object of the kinds they compose.
func (f *fleet) state(ctx context.Context) (*fleetState, error) {
	st := &fleetState{xrs: map[string]*unstructured.Unstructured{}, objects: map[string]*unstructured.Unstructured{}}
	xrs, err := f.list(ctx, xrGVK)
	if err != nil {
		return nil, err
	}
	for _, xr := range xrs {
		st.xrs[key(xr.GetNamespace(), xr.GetName())] = xr
		refs, _, _ := unstructured.NestedSlice(xr.Object, "spec", "crossplane", "resourceRefs")
		for _, r := range refs {
			m, _ := r.(map[string]any)
			apiVersion, _ := m["apiVersion"].(string)
			kind, _ := m["kind"].(string)
			gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
			f.kinds[gvk] = true
			if err := f.history.watch(f, gvk); err != nil {
				return nil, err
			}
		}
	}
	for _, gvk := range slices.SortedFunc(maps.Keys(f.kinds), func(a, b schema.GroupVersionKind) int { return strings.Compare(a.String(), b.String()) }) {
		objs, err := f.list(ctx, gvk)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			st.objects[objectKey(o)] = o
		}
	}
	return st, nil
}

// problems says what keeps the XR called k from being converged: Synced
// and Ready at its generation, and every object it lists present and
// controlled by it.
func (st *fleetState) problems(k string) []string {
	xr := st.xrs[k]
	if xr == nil {
		return []string{k + " does not exist"}
	}
	var out []string
	for _, typ := range []string{"Synced", "Ready"} {
		c := conditions(xr)[typ]
		if c["status"] != "True" {
			out = append(out, fmt.Sprintf("%s %s=%v: %v", k, typ, c["status"], c["message"]))
			continue
		}
		if g, ok := c["observedGeneration"].(int64); ok && g != xr.GetGeneration() {
			out = append(out, fmt.Sprintf("%s %s at generation %d of %d", k, typ, g, xr.GetGeneration()))
		}
	}
	refs, _, _ := unstructured.NestedSlice(xr.Object, "spec", "crossplane", "resourceRefs")
	if len(refs) == 0 {
		out = append(out, k+" lists nothing composed")
	}
	for _, r := range refs {
		m, _ := r.(map[string]any)
		kind, _ := m["kind"].(string)
		name, _ := m["name"].(string)
		ok := kind + " " + key(xr.GetNamespace(), name)
		o := st.objects[ok]
		switch {
		case o == nil:
			out = append(out, fmt.Sprintf("%s: %s does not exist", k, ok))
		case controllerOf(o) != xr.GetUID():
			out = append(out, fmt.Sprintf("%s: %s is not controlled by it", k, ok))
		case behind(o):
			out = append(out, fmt.Sprintf("%s: %s has not been reported on at generation %d", k, ok, o.GetGeneration()))
		}
	}
	return out
}

// behind is true while the status of o reports on an older generation
// than its own: its controller has not seen its latest spec yet. An XR is
// Ready as of the objects the function observed, before Crossplane applies
// what it composed, so an XR whose update changed an object reads Ready
// until that object's controller reports the change, and not ready just
// after: a snapshot taken before then sees that report as a rewrite.
func behind(o *unstructured.Unstructured) bool {
	gen := o.GetGeneration()
	older := func(m map[string]any) bool {
		g, ok, _ := unstructured.NestedInt64(m, "observedGeneration")
		return ok && g < gen
	}
	st, _, _ := unstructured.NestedMap(o.Object, "status")
	if st == nil {
		return false
	}
	conds, _, _ := unstructured.NestedSlice(st, "conditions")
	parents, _, _ := unstructured.NestedSlice(st, "parents")
	for _, p := range parents {
		pc, _, _ := unstructured.NestedSlice(p.(map[string]any), "conditions")
		conds = append(conds, pc...)
	}
	if older(st) {
		return true
	}
	for _, c := range conds {
		if m, ok := c.(map[string]any); ok && older(m) {
			return true
		}
	}
	return false
}

// waitConverged plays the controllers until every XR of the fleet is
// converged (problems), and returns the state it then found.
func (f *fleet) waitConverged(t *testing.T, what string, timeout time.Duration) *fleetState {
	t.Helper()
	var st *fleetState
	var looked time.Time
	f.e.eventually(t, timeout, what, func(ctx context.Context) (bool, string, error) {
		if time.Since(looked) < soakPoll {
			return false, "", nil
		}
		looked = time.Now()
		if err := f.playControllers(ctx); err != nil {
			return false, "", err
		}
		s, err := f.state(ctx)
		if err != nil {
			return false, "", err
		}
		var pending []string
		for _, xr := range f.xrs {
			if p := s.problems(key(xr.GetNamespace(), xr.GetName())); len(p) > 0 {
				pending = append(pending, p...)
			}
		}
		st = s
		return len(pending) == 0, fmt.Sprintf("%d problems; the first:\n%s", len(pending), strings.Join(pending[:min(len(pending), 10)], "\n")), nil
	})
	return st
}

// A snapshot is the UID and resourceVersion of every object the fleet's
// XRs control, and the UID of every XR, by objectKey.
type snapshot struct {
	objects map[string]*unstructured.Unstructured
	xrs     map[string]types.UID
}

func (st *fleetState) snapshot() snapshot {
	s := snapshot{objects: map[string]*unstructured.Unstructured{}, xrs: map[string]types.UID{}}
	owners := map[types.UID]bool{}
	for k, xr := range st.xrs {
		s.xrs[k] = xr.GetUID()
		owners[xr.GetUID()] = true
	}
	for k, o := range st.objects {
		if owners[controllerOf(o)] {
			s.objects[k] = o
		}
	}
	return s
}

// changes compares after with s: every object deleted, replaced (a new
// UID), rewritten (a new resourceVersion) or new, but those explained
// says were expected to change (keeping their UID), and every XR gone or
// replaced. A rewrite names who last wrote the object.
func (s snapshot) changes(after snapshot, explained func(k string) bool, h *history) []string {
	var out []string
	for k, uid := range s.xrs {
		if after.xrs[k] != uid {
			out = append(out, fmt.Sprintf("XR %s was deleted or replaced", k))
		}
	}
	for k, b := range s.objects {
		a := after.objects[k]
		switch {
		case a == nil:
			out = append(out, k+" was deleted")
		case a.GetUID() != b.GetUID():
			out = append(out, fmt.Sprintf("%s was replaced: UID %s -> %s", k, b.GetUID(), a.GetUID()))
		case a.GetResourceVersion() != b.GetResourceVersion() && !explained(k):
			out = append(out, fmt.Sprintf("%s was rewritten: resourceVersion %s -> %s, generation %d -> %d, last written by %s; what changed (-before, +after):\n%s%s",
				k, b.GetResourceVersion(), a.GetResourceVersion(), b.GetGeneration(), a.GetGeneration(), lastWriter(a), rewrite(b, a), h.between(k, b, a)))
		}
	}
	for k := range after.objects {
		if _, ok := s.objects[k]; !ok && !explained(k) {
			out = append(out, k+" is new")
		}
	}
	sort.Strings(out)
	return out
}

// rewrite is what differs between two versions of an object, the
// resourceVersion aside, managedFields included: a rewrite at the same
// generation changes metadata or field ownership only, and the managers'
// field sets say which.
func rewrite(before, after *unstructured.Unstructured) string {
	b, a := before.DeepCopy(), after.DeepCopy()
	for _, o := range []*unstructured.Unstructured{b, a} {
		o.SetResourceVersion("")
	}
	out := cmp.Diff(b.Object, a.Object)
	// cmp elides deep field sets: the ones of managers whose entry
	// changed are written out whole.
	sets := func(o *unstructured.Unstructured) map[string]string {
		m := map[string]string{}
		for _, f := range o.GetManagedFields() {
			if f.FieldsV1 != nil {
				m[f.Manager+" "+f.Subresource] = f.FieldsV1.GetRawString()
			}
		}
		return m
	}
	bs, as := sets(b), sets(a)
	for _, k := range slices.Sorted(maps.Keys(as)) {
		if bs[k] != as[k] {
			out += fmt.Sprintf("field set of %s before: %s\nafter: %s\n", k, bs[k], as[k])
		}
	}
	return out
}

// lastWriter names the field manager that wrote obj last, from its
// managedFields.
func lastWriter(obj *unstructured.Unstructured) string {
	var last metav1.ManagedFieldsEntry
	for _, m := range obj.GetManagedFields() {
		if m.Time != nil && (last.Time == nil || !m.Time.Before(last.Time)) {
			last = m
		}
	}
	if last.Time == nil {
		return "(unknown)"
	}
	return fmt.Sprintf("%s (%s %s at %s)", last.Manager, last.Operation, last.Subresource, last.Time.UTC().Format(time.RFC3339))
}

// checkUnchanged waits for the fleet to converge, then fails for every
// change since the last snapshot that explained does not expect, and makes
// the state found the next fault's baseline.
func (f *fleet) checkUnchanged(t *testing.T, what string, explained func(k string) bool) {
	t.Helper()
	st := f.waitConverged(t, "every service Synced and Ready again after "+what, soakConverge)
	after := st.snapshot()
	changes := f.last.changes(after, explained, f.history)
	for _, c := range changes[:min(len(changes), 20)] {
		t.Errorf("after %s: %s", what, c)
	}
	if len(changes) > 20 {
		t.Errorf("after %s: %d more changes", what, len(changes)-20)
	}
	if len(changes) == 0 {
		t.Logf("after %s: all %d services Synced and Ready; none of their %d composed objects deleted, replaced or rewritten",
			what, len(after.xrs), len(after.objects))
	}
	f.last = after
}

// nothingExplained is for a fault after which no object may change.
func nothingExplained(string) bool { return false }

// waitReported waits until each XR at idx is Synced=False with a message
// that report accepts, and returns one such message and that XR's
// events: what Crossplane reported.
func (f *fleet) waitReported(t *testing.T, what string, idx []int, report func(msg string) bool) string {
	t.Helper()
	var shown string
	var looked time.Time
	f.e.eventually(t, soakConverge, what, func(ctx context.Context) (bool, string, error) {
		if time.Since(looked) < soakPoll {
			return false, "", nil
		}
		looked = time.Now()
		st, err := f.state(ctx)
		if err != nil {
			return false, "", err
		}
		var waiting []string
		for _, i := range idx {
			k := key(f.xrs[i].GetNamespace(), f.xrs[i].GetName())
			xr := st.xrs[k]
			if xr == nil {
				return false, "", fmt.Errorf("XR %s does not exist", k)
			}
			c := conditions(xr)["Synced"]
			msg, _ := c["message"].(string)
			if c["status"] != "False" || !report(msg) {
				waiting = append(waiting, fmt.Sprintf("%s Synced=%v: %s", k, c["status"], msg))
				continue
			}
			if shown == "" {
				shown = fmt.Sprintf("%s: Synced=False: %s\n%s", k, msg, f.e.events(ctx, xr.GetNamespace(), xr.GetName()))
			}
		}
		return len(waiting) == 0, fmt.Sprintf("%d of %d not reported yet; the first: %s", len(waiting), len(idx), strings.Join(waiting[:min(len(waiting), 1)], "")), nil
	})
	return shown
}

// waitSomeReported waits until at least n XRs of the fleet are
// Synced=False with a message that report accepts, and returns what the
// first of them reports. While the function cannot be reached each call
// waits for it until Crossplane's reconcile deadline (two minutes), so
// waiting for every XR would take that long and prove nothing more.
func (f *fleet) waitSomeReported(t *testing.T, what string, n int, report func(msg string) bool) string {
	t.Helper()
	var shown string
	var looked time.Time
	f.e.eventually(t, soakConverge, what, func(ctx context.Context) (bool, string, error) {
		if time.Since(looked) < soakPoll {
			return false, "", nil
		}
		looked = time.Now()
		xrs, err := f.list(ctx, xrGVK)
		if err != nil {
			return false, "", err
		}
		var reported []*unstructured.Unstructured
		for _, xr := range xrs {
			c := conditions(xr)["Synced"]
			if msg, _ := c["message"].(string); c["status"] == "False" && report(msg) {
				reported = append(reported, xr)
			}
		}
		if len(reported) < n {
			return false, fmt.Sprintf("%d of %d XRs report it", len(reported), n), nil
		}
		xr := reported[0]
		msg, _ := conditions(xr)["Synced"]["message"].(string)
		shown = fmt.Sprintf("%d XRs, such as %s: Synced=False: %s\n%s", len(reported), key(xr.GetNamespace(), xr.GetName()), msg, f.e.events(ctx, xr.GetNamespace(), xr.GetName()))
		return true, "", nil
	})
	return shown
}

// processUsage reads the CPU time (user and system) and peak RSS of a
// running process from /proc.
func processUsage(pid int) (time.Duration, int64, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	// The fields after the command's closing parenthesis start with the
	// state (field 3); utime and stime are fields 14 and 15, in clock
	// ticks of 1/100 s (USER_HZ on Linux).
	_, rest, ok := bytes.Cut(stat, []byte(") "))
	fields := strings.Fields(string(rest))
	if !ok || len(fields) < 13 {
		return 0, 0, fmt.Errorf("cannot parse /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("cannot parse /proc/%d/stat: utime %q, stime %q", pid, fields[11], fields[12])
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("cannot parse VmHWM %q: %w", v, err)
			}
			return time.Duration(utime+stime) * 10 * time.Millisecond, kb << 10, nil
		}
	}
	return 0, 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// jsonContains is true when obj, as JSON, contains s.
func jsonContains(obj *unstructured.Unstructured, s string) bool {
	data, err := json.Marshal(obj.Object)
	return err == nil && bytes.Contains(data, []byte(s))
}
