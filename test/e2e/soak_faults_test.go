//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"
)

// soakOutage is how long the function stays unreachable at least, the
// issue's minute: every XR touched meanwhile fails its call and Crossplane
// backs off and retries it (its XR controller backs off from 1 s up to
// 30 s). It costs nothing: waiting for soakReported XRs to report takes
// longer (2 m 5 s to 2 m 8 s measured, each call waiting for the function
// until the reconcile's deadline).
const soakOutage = time.Minute

// soakReported is how many XRs must report that they cannot call the
// function before it comes back.
const soakReported = 20

// Process names, as setUp starts them.
const (
	procFunction   = "function"
	procCrossplane = "crossplane"
	procAPIServer  = "kube-apiserver"
	procEtcd       = "etcd"
)

// stopProcess stops the process called name on purpose, killing it
// (SIGKILL, a crash) or asking it to shut down (SIGTERM), and returns it.
func (f *fleet) stopProcess(t *testing.T, name string, kill bool) *process {
	t.Helper()
	p := f.e.procs.named(name)
	if p == nil {
		t.Fatalf("no process %s", name)
	}
	f.e.procs.hold(name)
	if !kill {
		p.stop()
		return p
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("cannot kill %s: %v", name, err)
	}
	<-p.done
	return p
}

// startAgain starts a stopped process again with its command line, env
// added to its environment (a later value wins), and watches it again. It
// lives until TestSoak ends.
func (f *fleet) startAgain(old *process, env ...string) *process {
	p := start(f.t, old.dir, old.name, old.bin, append(slices.Clone(old.env), env...), old.args...)
	f.e.procs.replace(p)
	return p
}

// argValue is the value of a process's --flag=value.
func argValue(p *process, flag string) string {
	for _, a := range p.args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

// waitAPIServer waits until kube-apiserver is ready again.
func (f *fleet) waitAPIServer(t *testing.T) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(f.e.caPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	if err := waitHTTP(context.Background(), f.e.procs.named(procAPIServer), client, f.e.server+"/readyz", f.e.token, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
}

// restartFunction starts the function again with its own certificates and
// waits for an mTLS handshake with Crossplane's.
func (f *fleet) restartFunction(t *testing.T, old *process) {
	t.Helper()
	p := f.startAgain(old, "TLS_SERVER_CERTS_DIR="+f.e.functionCerts)
	if err := waitMTLS(p, f.e.fnAddr, f.e.clientCerts, time.Minute); err != nil {
		t.Fatal(err)
	}
}

// listening is true once something accepts TCP connections at addr.
func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// callFailed is what Crossplane reports on an XR whose call of the function
// failed: the pipeline step it could not run.
func callFailed(msg string) bool {
	return strings.Contains(msg, "pipeline step") && strings.Contains(msg, "rpc error")
}

// testFunctionKilled kills the function (SIGKILL) while Crossplane
// reconciles every XR, once it has answered some of those calls, and
// starts it again a few seconds later. Crossplane must report the failed
// calls on the XRs and retry them; nothing composed may be deleted or
// rewritten.
func (f *fleet) testFunctionKilled(t *testing.T) {
	before := f.functionCalls(t)
	f.touch(t, f.all())
	f.e.eventually(t, 2*time.Minute, "the function answering the reconciles", func(context.Context) (bool, string, error) {
		n := f.functionCalls(t) - before
		return n >= 20, fmt.Sprintf("%d calls so far", n), nil
	})
	old := f.stopProcess(t, procFunction, true)
	t.Logf("killed the function after %d of %d reconciles' calls", f.functionCalls(t)-before, len(f.xrs))
	t.Logf("Crossplane reports: %s", f.waitSomeReported(t, "an XR to report the failed call", 1, callFailed))
	f.restartFunction(t, old)
	f.reconcileAll(t, f.all())
	f.checkUnchanged(t, "the function was killed", nothingExplained)
}

// testFunctionUnreachable stops the function for at least soakOutage
// while every XR is reconciled. They must report the failed call, and
// converge again, unchanged, once the function is back.
func (f *fleet) testFunctionUnreachable(t *testing.T) {
	old := f.stopProcess(t, procFunction, false)
	down := time.Now()
	f.touch(t, f.all())
	t.Logf("Crossplane reports: %s", f.waitSomeReported(t, fmt.Sprintf("%d XRs to report that they cannot call the function", soakReported), soakReported, callFailed))
	time.Sleep(time.Until(down.Add(soakOutage)))
	f.restartFunction(t, old)
	t.Logf("the function was unreachable for %s", time.Since(down).Round(time.Second))
	f.reconcileAll(t, f.all())
	f.checkUnchanged(t, "the function was unreachable", nothingExplained)
}

// testUntrustedCertificate serves the function with a certificate of a CA
// Crossplane does not trust (and trusting only that CA, so it refuses
// Crossplane's client certificate too): every call fails its TLS
// handshake, the XRs report it, nothing changes, and all converge once
// the function serves its own certificate again.
func (f *fleet) testUntrustedCertificate(t *testing.T) {
	other, err := newCertAuthority()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(f.e.dir, "untrusted-function-certs")
	if err := other.writeCertDir(dir, "function-llm-inference-service"); err != nil {
		t.Fatal(err)
	}
	old := f.stopProcess(t, procFunction, false)
	untrusted := f.startAgain(old, "TLS_SERVER_CERTS_DIR="+dir)
	f.e.eventually(t, time.Minute, "the function listening with the untrusted certificate", func(context.Context) (bool, string, error) {
		if err := untrusted.exited(); err != nil {
			return false, "", err
		}
		return listening(f.e.fnAddr), "not listening yet", nil
	})
	if err := waitMTLS(untrusted, f.e.fnAddr, f.e.clientCerts, 2*time.Second); err == nil {
		t.Fatal("Crossplane's client certificate completed an mTLS handshake with the function's untrusted one")
	}
	f.touch(t, f.all())
	t.Logf("Crossplane reports: %s", f.waitSomeReported(t, fmt.Sprintf("%d XRs to report the failed TLS handshake", soakReported), soakReported, func(msg string) bool {
		return callFailed(msg) && strings.Contains(msg, "certificate")
	}))
	f.stopProcess(t, procFunction, false)
	f.restartFunction(t, untrusted)
	f.reconcileAll(t, f.all())
	f.checkUnchanged(t, "the function served an untrusted certificate", nothingExplained)
}

// testAPIServerRestarted restarts kube-apiserver: Crossplane, the
// controller manager and the test reconnect, and every XR, reconciled
// again, composes what it did.
func (f *fleet) testAPIServerRestarted(t *testing.T) {
	old := f.stopProcess(t, procAPIServer, false)
	f.startAgain(old)
	f.waitAPIServer(t)
	f.reconcileAll(t, f.all())
	f.checkUnchanged(t, "kube-apiserver restarted", nothingExplained)
}

// testEtcdRestarted restarts etcd under kube-apiserver, from its data: the
// API server serves again what it held, and every XR, reconciled again,
// composes what it did.
func (f *fleet) testEtcdRestarted(t *testing.T) {
	old := f.stopProcess(t, procEtcd, false)
	p := f.startAgain(old)
	if err := waitHTTP(context.Background(), p, &http.Client{Timeout: 5 * time.Second}, f.e.etcdURL+"/health", "", time.Minute); err != nil {
		t.Fatal(err)
	}
	f.waitAPIServer(t)
	f.reconcileAll(t, f.all())
	f.checkUnchanged(t, "etcd restarted", nothingExplained)
}

// testCrossplaneRestarted restarts Crossplane: it reconciles every XR when
// it starts, and must compose what it did.
func (f *fleet) testCrossplaneRestarted(t *testing.T) {
	old := f.stopProcess(t, procCrossplane, false)
	p := f.startAgain(old)
	health := fmt.Sprintf("http://127.0.0.1:%s/readyz", argValue(p, "--health-probe-port"))
	if err := waitHTTP(context.Background(), p, &http.Client{Timeout: 5 * time.Second}, health, "", 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	f.reconcileAll(t, f.all())
	f.checkUnchanged(t, "Crossplane restarted", nothingExplained)
}

// testEnvironmentConfigDeleted deletes the EnvironmentConfig the
// base-configs services read.
func (f *fleet) testEnvironmentConfigDeleted(t *testing.T) {
	f.testBaseDeleted(t, "base-configs", func(o *unstructured.Unstructured) bool { return o.GetKind() == "EnvironmentConfig" })
}

// testServiceConfigDeleted deletes the platform's LLMInferenceServiceConfig
// the llmisvc-config services read.
func (f *fleet) testServiceConfigDeleted(t *testing.T) {
	f.testBaseDeleted(t, "llmisvc-config", func(o *unstructured.Unstructured) bool {
		return o.GetKind() == serviceConfigGVK.Kind && o.GetNamespace() == systemNamespace
	})
}

// testBaseDeleted deletes the base configuration that is, of those the
// services of pattern read. Every one of them must refuse, naming it,
// while nothing of the fleet is deleted or rewritten; once it is back they
// converge, unchanged.
func (f *fleet) testBaseDeleted(t *testing.T, pattern string, is func(o *unstructured.Unstructured) bool) {
	ctx := context.Background()
	i := slices.IndexFunc(f.required, is)
	if i < 0 {
		t.Fatalf("the %s example reads no such base configuration", pattern)
	}
	base := f.required[i]
	users := f.indexes(func(i int) bool { return f.patterns[i] == pattern })
	if err := f.e.remove(ctx, base.GroupVersionKind(), base.GetNamespace(), base.GetName()); err != nil {
		t.Fatal(err)
	}
	f.touch(t, users)
	t.Logf("Crossplane reports: %s", f.waitReported(t, fmt.Sprintf("the %d %s services to refuse without %s %s", len(users), pattern, base.GetKind(), base.GetName()), users,
		func(msg string) bool { return strings.Contains(msg, base.GetName()) && !callFailed(msg) }))
	// Every one has refused by now: what it would have deleted or
	// rewritten, it has.
	st, err := f.state(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.last.changes(st.snapshot(), nothingExplained, f.history) {
		t.Errorf("without %s %s: %s", base.GetKind(), base.GetName(), c)
	}
	if _, err := f.e.apply(ctx, base); err != nil {
		t.Fatal(err)
	}
	f.reconcileAll(t, users)
	f.checkUnchanged(t, base.GetKind()+" "+base.GetName()+" was deleted", nothingExplained)
}

// testConcurrentUpdates updates one XR from two clients at once, each
// changing a field of its own from the same resourceVersion: the API server
// must refuse one with a conflict, that client retries on what the other
// wrote, and the function composes both changes. Only that XR's objects may
// change, none may be replaced, and every other service stays as it was.
func (f *fleet) testConcurrentUpdates(t *testing.T) {
	xr := f.xrs[0]
	ns, name := xr.GetNamespace(), xr.GetName()
	const model = "soak-renamed"
	edits := []struct {
		client string
		edit   func(u *unstructured.Unstructured) error
	}{
		{"e2e-soak-a", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedField(u.Object, int64(5), "spec", "replicas")
		}},
		{"e2e-soak-b", func(u *unstructured.Unstructured) error {
			return unstructured.SetNestedField(u.Object, model, "spec", "model", "name")
		}},
	}
	var (
		conflicts atomic.Int32
		read      sync.WaitGroup
		done      sync.WaitGroup
		errs      = make([]error, len(edits))
	)
	read.Add(len(edits))
	for i, ed := range edits {
		cfg := restConfig(f.e.server, f.e.caPEM, f.e.token)
		cfg.UserAgent = ed.client
		dyn, err := dynamic.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := dyn.Resource(xrResource).Namespace(ns)
		first := true
		done.Go(func() {
			errs[i] = retry.RetryOnConflict(retry.DefaultRetry, func() error {
				got, err := r.Get(context.Background(), name, metav1.GetOptions{})
				if err != nil {
					return err
				}
				if first {
					// Both clients hold the same resourceVersion
					// before either writes.
					first = false
					read.Done()
					read.Wait()
				}
				if err := ed.edit(got); err != nil {
					return err
				}
				_, err = r.Update(context.Background(), got, metav1.UpdateOptions{FieldManager: ed.client})
				if kerrors.IsConflict(err) {
					conflicts.Add(1)
				}
				return err
			})
		})
	}
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("client %s: %v", edits[i].client, err)
		}
	}
	if conflicts.Load() == 0 {
		t.Fatal("two clients updated the XR from the same resourceVersion and neither got a conflict")
	}
	t.Logf("%d conflict(s); both clients' updates landed after retrying", conflicts.Load())
	deployment := name + "-workload"
	f.e.eventually(t, 3*time.Minute, fmt.Sprintf("Deployment %s composed from both updates", key(ns, deployment)), func(ctx context.Context) (bool, string, error) {
		d, err := f.e.get(ctx, deploymentGVK, ns, deployment)
		if err != nil || d == nil {
			return false, "no Deployment " + key(ns, deployment), err
		}
		replicas, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
		named := jsonContains(d, model)
		return replicas == 5 && named, fmt.Sprintf("replicas %d, served as %s: %t", replicas, model, named), nil
	})
	// Only the objects of the XR updated may change, each keeping its UID.
	mine := map[string]bool{}
	for k, o := range f.last.objects {
		if o.GetNamespace() == ns && slices.ContainsFunc(o.GetOwnerReferences(), func(r metav1.OwnerReference) bool { return r.Name == name }) {
			mine[k] = true
		}
	}
	f.checkUnchanged(t, "the concurrent updates of "+key(ns, name), func(k string) bool { return mine[k] })
}

// xrResource is the XRs' resource, for the two clients of
// testConcurrentUpdates.
var xrResource = xrGVK.GroupVersion().WithResource("llminferenceservices")

// testInvalidAtScale updates soakInvalid of the XRs at once to a model URI
// the function refuses. Each of them must report the refusal, every other
// service stays Synced and Ready, and no object of any of them changes;
// restored, the broken ones converge again, unchanged.
func (f *fleet) testInvalidAtScale(t *testing.T) {
	// Every fourth, the concurrently updated first one aside.
	bad := f.indexes(func(i int) bool { return i%4 == 1 })[:soakInvalid]
	f.updateURIs(t, bad, func(int) string { return "gs://b/m" })
	t.Logf("Crossplane reports: %s", f.waitReported(t, fmt.Sprintf("the %d invalid services to report the refusal", len(bad)), bad, func(msg string) bool {
		return strings.Contains(msg, "spec.model.uri") && strings.Contains(msg, "unsupported scheme")
	}))
	st, err := f.state(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	broken := map[int]bool{}
	for _, i := range bad {
		broken[i] = true
	}
	for i, xr := range f.xrs {
		if broken[i] {
			continue
		}
		for _, p := range st.problems(key(xr.GetNamespace(), xr.GetName())) {
			t.Errorf("while %d others are invalid: %s", len(bad), p)
		}
	}
	for _, c := range f.last.changes(st.snapshot(), nothingExplained, f.history) {
		t.Errorf("while %d services are invalid: %s", len(bad), c)
	}
	f.updateURIs(t, bad, func(i int) string { return mustString(t, f.xrs[i], "spec", "model", "uri") })
	f.checkUnchanged(t, fmt.Sprintf("%d services were invalid", len(bad)), nothingExplained)
}

// updateURIs sets spec.model.uri of the XRs at idx, at once.
func (f *fleet) updateURIs(t *testing.T, idx []int, uri func(i int) string) {
	t.Helper()
	if err := f.each(len(idx), func(j int) error {
		i := idx[j]
		return f.patch(f.xrs[i], fmt.Appendf(nil, `{"spec":{"model":{"uri":%q}}}`, uri(i)))
	}); err != nil {
		t.Fatal(err)
	}
}
