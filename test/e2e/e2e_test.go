//go:build e2e

// Package e2e proves the function on a real control plane: etcd,
// kube-apiserver, kube-controller-manager (a few controllers) and Crossplane
// core with its RBAC manager run as local processes built from pinned Go
// modules (tools/controlplane). Crossplane runs as its service account with
// the permissions its Helm chart and example/rbac.yaml give it, and calls
// the function over mTLS; the API server holds the real CRDs of every
// composed kind; each scenario asserts on what the API server holds.
//
// No kubelet runs, so no pod ever starts: where a real cluster's controllers
// would report on the composed Deployments, Gateway, HTTPRoute and
// InferencePool, the test writes that status itself (controllers_test.go).
// The data-plane scenario (dataplane_test.go) goes further: the real
// Deployment and ReplicaSet controllers make the pods, the test marks them
// Ready on loopback IPs where fake model servers answer, and a real
// endpoint picker routes completions among them.
//
// Run it with `make e2e`, which builds the control plane first. It looks
// for the binaries in E2E_BIN_DIR (default: bin/ at the repository root);
// E2E_KEEP=1 keeps the working directory, logs included.
package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"

	"github.com/crossplane-contrib/function-llm-inference-service/test/examples"
)

// crossplanePollInterval is how often Crossplane reconciles an XR without a
// watch event. Composed resources are watched (realtime compositions), so
// this only bounds how long a missed event can delay a scenario.
const crossplanePollInterval = 5 * time.Second

// gcResync is how long after a kind appears kube-controller-manager's
// garbage collector may take to notice it: it re-reads discovery every 30 s
// and then starts watching the new kinds. Until it watches an XR's kind it
// does not collect what the XR owned.
const gcResync = 45 * time.Second

var (
	xrGVK         = schema.GroupVersionKind{Group: "serving.kserve.io", Version: "v1alpha2", Kind: "LLMInferenceService"}
	legacyXRGVK   = schema.GroupVersionKind{Group: "serving.example.org", Version: "v1alpha2", Kind: "XLLMInferenceService"}
	claimGVK      = schema.GroupVersionKind{Group: "serving.example.org", Version: "v1alpha2", Kind: "LLMInferenceService"}
	xrdGVK        = schema.GroupVersionKind{Group: "apiextensions.crossplane.io", Version: "v2", Kind: "CompositeResourceDefinition"}
	crdGVK        = schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"}
	namespaceGVK  = schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}
	fnRevisionGVK = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "FunctionRevision"}
)

const (
	// crossplaneNS is where Crossplane runs, as a Helm install would.
	crossplaneNS = "crossplane-system"
	// packageLabel names the package a revision belongs to.
	packageLabel = "pkg.crossplane.io/package"
	// resourceNameAn is the annotation with which Crossplane tells a
	// composed resource's name in the function's desired state.
	resourceNameAn = "crossplane.io/composition-resource-name"
)

// env is the running control plane and what the scenarios share.
type env struct {
	*cluster
	root string
	tm   *timings
	// xrdsReady is when the example XRDs were established, which the
	// garbage collector learns about gcResync later.
	xrdsReady time.Time
	// examples are the repository's examples, by the rule of the root
	// module's internal/examples.
	examples []examples.Example
	// catalog is what the Configuration package installed.
	catalog *catalog

	// What the data-plane scenario starts processes with: the working
	// directory, the API server's address and CA, the admin kubeconfig,
	// the binaries, and a typed client.
	dir        string
	server     string
	caPEM      []byte
	kubeconfig string
	kcmBin     string
	pickerBin  string
	kube       kubernetes.Interface

	// What the soak's fault scenarios (soak_test.go) stop and start again,
	// and what they wait on once they have: the processes, the test's
	// token, etcd's URL, the function's address and both ends' mTLS
	// certificates.
	procs         *processes
	token         string
	etcdURL       string
	fnAddr        string
	clientCerts   string
	functionCerts string
}

func TestE2E(t *testing.T) {
	e := setUp(t)

	scenario := func(name string, fn func(t *testing.T)) bool {
		began := time.Now()
		ok := t.Run(name, fn)
		e.tm.record("scenario: "+name, time.Since(began))
		return ok
	}
	seedOK := scenario("seed XR", e.testSeedXR)
	scenario("legacy claim", e.testLegacyClaim)
	scenario("prefill decode", e.testPrefillDecode)
	scenario("wide expert parallel", e.testWideEP)
	scenario("rollout strategy", e.testRolloutStrategy)
	scenario("API versions", e.testVersions)
	scenario("platform Gateway", e.testPlatformGateway)
	scenario("printer columns", e.testPrinterColumns)
	scenario("autoscaler owns replicas", e.testAutoscaling)
	// These change the seed XR, so they need it running.
	for _, s := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"invalid update", e.testInvalidUpdate},
		{"stop and start", e.testStopStart},
		{"topology change", e.testTopologyChange},
		{"delete", e.testDelete},
	} {
		if !seedOK {
			t.Run(s.name, func(t *testing.T) { t.Skip("the seed XR did not become ready") })
			continue
		}
		if !scenario(s.name, s.fn) {
			seedOK = false
		}
	}
	// Last: it adds a second Composition for LLMInferenceServices, and an
	// XR that names none may be given either.
	scenario("base configuration from an EnvironmentConfig", e.testBaseConfig)
	scenario("base configuration from an LLMInferenceServiceConfig", e.testServiceConfig)
	scenario("pod security restricted", e.testRestricted)
	scenario("pod security guardrail", e.testPodSecurity)
	scenario("managed DRA", e.testManagedDRA)
	scenario("PodMonitors", e.testPodMonitors)
	scenario("route authentication", e.testRouteAuthentication)
	scenario("network policies", e.testNetworkPolicies)
	scenario("KV events", e.testKVEvents)
	scenario("route group", e.testRouteGroup)
	// After all the others: it applies every example at once, some of
	// them the XRs the scenarios above used.
	scenario("every example", e.testEveryExample)
	// Last: it runs the real Deployment controller, which would overwrite
	// the Deployment status the scenarios above write.
	scenario("data plane", e.testDataPlane)
	// After the data plane, for the same reason: it runs the real
	// Deployment controller too.
	scenario("diagnosis from pods", e.testDiagnose)
	scenario("diagnosis of a LeaderWorkerSet group", e.testDiagnoseGroup)
}

// setUp starts the control plane and the function, registers the function
// with Crossplane and installs the catalog, the Configuration package, with
// Crossplane's package manager. Everything stops, and the working directory
// is removed, when the test ends.
func setUp(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	binDir := os.Getenv("E2E_BIN_DIR")
	if binDir == "" {
		binDir = filepath.Join(root, "bin")
	}
	bin := func(name string) string {
		p := filepath.Join(binDir, name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s is missing: build the control plane with `make controlplane` (make e2e does): %v", p, err)
		}
		return p
	}
	etcdBin, apiserverBin, kcmBin, crossplaneBin := bin("etcd"), bin("kube-apiserver"), bin("kube-controller-manager"), bin("crossplane-core")
	pickerBin := bin("gie-picker")

	dir, err := os.MkdirTemp("", "function-llm-inference-service-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if os.Getenv("E2E_KEEP") != "" {
			t.Logf("kept the working directory and logs in %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	})
	tm := &timings{start: time.Now()}
	procs := &processes{}
	// Registered before any process starts, so it runs after they have all
	// stopped (cleanups run last in, first out) and their logs are whole.
	t.Cleanup(func() {
		if t.Failed() {
			for _, p := range procs.all() {
				t.Logf("---- last lines of the %s log (%s):\n%s", p.name, p.log, p.report())
			}
		}
		t.Logf("timings:\n%s", tm.summary())
	})
	alive := procs.exited
	// For the endpoints served without TLS: etcd's and Crossplane's health.
	plainHTTP := &http.Client{Timeout: 5 * time.Second}

	tm.step(t, "build the function", func() error {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "function"), ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%w\n%s", err, out)
		}
		return nil
	})

	ca, err := newCertAuthority()
	if err != nil {
		t.Fatal(err)
	}
	var (
		pki           = filepath.Join(dir, "pki")
		clientCerts   = filepath.Join(dir, "crossplane-client-certs")
		functionCerts = filepath.Join(dir, "function-certs")
		token         = randomToken(t)
		kubeconfig    = filepath.Join(dir, "kubeconfig")
	)
	tm.step(t, "certificates and keys", func() error {
		if err := os.MkdirAll(pki, 0o700); err != nil {
			return err
		}
		if err := ca.writeCertDir(pki, "kube-apiserver"); err != nil {
			return err
		}
		if err := ca.writeCertDir(clientCerts, "crossplane"); err != nil {
			return err
		}
		if err := ca.writeCertDir(functionCerts, "function-llm-inference-service"); err != nil {
			return err
		}
		if err := writeSigningKeys(filepath.Join(pki, "sa.key"), filepath.Join(pki, "sa.pub")); err != nil {
			return err
		}
		// One static token, in group system:masters, for the test, the
		// controller manager and Crossplane's RBAC manager. Crossplane
		// itself authenticates as its service account.
		return os.WriteFile(filepath.Join(pki, "tokens.csv"), []byte(token+",admin,admin,system:masters\n"), 0o600)
	})

	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	tm.step(t, "start etcd", func() error {
		client, peer := etcdURL, fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
		p := start(t, dir, "etcd", etcdBin, nil,
			"--name=e2e", "--data-dir="+filepath.Join(dir, "etcd"),
			"--listen-client-urls="+client, "--advertise-client-urls="+client,
			"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer, "--initial-cluster=e2e="+peer,
			// A store thrown away after the test: fsyncs only cost time.
			"--unsafe-no-fsync", "--log-level=warn")
		procs.add(p)
		return waitHTTP(ctx, p, plainHTTP, client+"/health", "", time.Minute)
	})

	server := fmt.Sprintf("https://127.0.0.1:%d", freePort(t))
	tm.step(t, "start kube-apiserver", func() error {
		port := strings.TrimPrefix(server, "https://127.0.0.1:")
		p := start(t, dir, "kube-apiserver", apiserverBin, nil,
			"--etcd-servers="+etcdURL,
			"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+port,
			"--tls-cert-file="+filepath.Join(pki, "tls.crt"), "--tls-private-key-file="+filepath.Join(pki, "tls.key"),
			"--token-auth-file="+filepath.Join(pki, "tokens.csv"), "--authorization-mode=RBAC",
			"--service-account-issuer=https://kubernetes.default.svc",
			"--service-account-key-file="+filepath.Join(pki, "sa.pub"),
			"--service-account-signing-key-file="+filepath.Join(pki, "sa.key"),
			// Room for the soak's Services (soak_test.go: two for most
			// of its 200 XRs); a /24 runs out at 254.
			"--service-cluster-ip-range=10.0.0.0/20",
			// 127.0.0.1 can't be the endpoint of the kubernetes Service, and
			// nothing here needs it to be.
			"--endpoint-reconciler-type=none")
		procs.add(p)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(ca.certPEM)
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		return waitHTTP(ctx, p, client, server+"/readyz", token, 2*time.Minute)
	})
	if err := writeKubeconfig(kubeconfig, server, ca.certPEM, token); err != nil {
		t.Fatal(err)
	}
	c, err := newCluster(restConfig(server, ca.certPEM, token), alive)
	if err != nil {
		t.Fatal(err)
	}
	kube, err := kubernetes.NewForConfig(restConfig(server, ca.certPEM, token))
	if err != nil {
		t.Fatal(err)
	}
	all, err := examples.List(root)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		cluster: c, root: root, tm: tm, examples: all,
		dir: dir, server: server, caPEM: ca.certPEM, kubeconfig: kubeconfig, kcmBin: kcmBin, pickerBin: pickerBin, kube: kube,
		procs: procs, token: token, etcdURL: etcdURL, clientCerts: clientCerts, functionCerts: functionCerts,
	}

	tm.step(t, "install CRDs", func() error {
		crds, err := loadCRDs(ctx, crdSources())
		if err != nil {
			return err
		}
		own, err := exampleCRDs(root)
		if err != nil {
			return err
		}
		crds = append(crds, own...)
		for _, crd := range crds {
			if _, err := e.apply(ctx, crd); err != nil {
				return err
			}
		}
		e.eventually(t, 2*time.Minute, fmt.Sprintf("%d CRDs established", len(crds)), func(ctx context.Context) (bool, string, error) {
			var pending []string
			for _, crd := range crds {
				got, err := e.get(ctx, crdGVK, "", crd.GetName())
				if err != nil {
					return false, "", err
				}
				if got == nil || !conditionIs(got, "Established", "True") {
					pending = append(pending, crd.GetName())
				}
			}
			return len(pending) == 0, "not established yet: " + strings.Join(pending, ", "), nil
		})
		t.Logf("installed %d CRDs", len(crds))
		return nil
	})

	tm.step(t, "start kube-controller-manager", func() error {
		// The garbage collector, which deletes what a deleted XR owned; the
		// ClusterRole aggregation Crossplane's permissions rely on; and the
		// default service account of each namespace, which Pod admission
		// needs. Started after the CRDs so that the garbage collector knows
		// their kinds from the start. --secure-port=0: nothing scrapes it.
		// The token controller fills ServiceAccount token Secrets, such as
		// the one the picker's PodMonitor authenticates with.
		procs.add(start(t, dir, "kube-controller-manager", kcmBin, nil,
			"--kubeconfig="+kubeconfig, "--controllers=garbagecollector,clusterrole-aggregation,serviceaccount,serviceaccount-token",
			"--service-account-private-key-file="+filepath.Join(pki, "sa.key"),
			"--leader-elect=false", "--secure-port=0"))
		return nil
	})

	crossplaneKubeconfig := filepath.Join(dir, "crossplane.kubeconfig")
	tm.step(t, "Crossplane's service account and RBAC", func() error {
		ns := &unstructured.Unstructured{}
		ns.SetGroupVersionKind(namespaceGVK)
		ns.SetName(crossplaneNS)
		if _, err := e.apply(ctx, ns); err != nil {
			return err
		}
		objs, err := crossplaneRBAC(ctx)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if _, err := e.apply(ctx, o); err != nil {
				return err
			}
		}
		if err := e.applyFile(ctx, filepath.Join(root, "example", "rbac.yaml")); err != nil {
			return err
		}
		saToken, err := e.serviceAccountToken(ctx, crossplaneNS, crossplaneSA)
		if err != nil {
			return err
		}
		if err := writeKubeconfig(crossplaneKubeconfig, server, ca.certPEM, saToken); err != nil {
			return err
		}
		// Aggregation happens in the controller manager: wait for a rule
		// of the chart's and one of example/rbac.yaml to reach Crossplane.
		e.waitCrossplaneCan(t, "watch", "apiextensions.crossplane.io", "compositeresourcedefinitions")
		e.waitCrossplaneCan(t, "create", "rbac.authorization.k8s.io", "roles")
		return nil
	})

	tm.step(t, "start Crossplane and its RBAC manager", func() error {
		// The RBAC manager makes the ClusterRoles that let Crossplane manage
		// each XRD's XRs and claims. It runs as the test's admin: what is
		// tested is Crossplane's own permissions. It serves metrics on
		// :8080, which it has no flag to change.
		procs.add(start(t, dir, "crossplane-rbac-manager", crossplaneBin,
			[]string{"KUBECONFIG=" + kubeconfig, "POD_NAMESPACE=" + crossplaneNS},
			"--debug", "rbac", "start", "--poll-interval="+crossplanePollInterval.String()))
		// The package manager caches what it pulls there, and fails to
		// parse a package it cannot cache; Crossplane's chart mounts an
		// emptyDir at it.
		if err := os.MkdirAll(filepath.Join(dir, "xpkg-cache"), 0o700); err != nil {
			return err
		}
		health := freePort(t)
		p := start(t, dir, "crossplane", crossplaneBin,
			[]string{"KUBECONFIG=" + crossplaneKubeconfig, "POD_NAMESPACE=" + crossplaneNS, "POD_SERVICE_ACCOUNT=" + crossplaneSA},
			"--debug", "core", "start",
			// No webhook server: nothing here could call it.
			"--enable-webhooks=false",
			"--tls-client-certs-dir="+clientCerts,
			"--xpkg-cache-dir="+filepath.Join(dir, "xpkg-cache"),
			fmt.Sprintf("--metrics-port=%d", freePort(t)),
			fmt.Sprintf("--health-probe-port=%d", health),
			"--poll-interval="+crossplanePollInterval.String(),
			// Crossplane stops watching an XR that gets more than 100
			// watch events in a burst (its default), then lets one
			// through every 30 s; a Ready XR is next polled a ready TTL
			// later. Stopping and starting the seed deletes and recreates
			// all its objects while the test plays their controllers on
			// every poll, a burst a cluster's controllers do not make,
			// and the breaker then swallows the next scenario's spec
			// change. The test's burst is what this flag admits.
			"--circuit-breaker-burst=1000")
		procs.add(p)
		return waitHTTP(ctx, p, plainHTTP, fmt.Sprintf("http://127.0.0.1:%d/readyz", health), "", 2*time.Minute)
	})

	fnAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	e.fnAddr = fnAddr
	tm.step(t, "start the function over mTLS", func() error {
		p := start(t, dir, "function", filepath.Join(dir, "function"),
			[]string{"TLS_SERVER_CERTS_DIR=" + functionCerts},
			"--address="+fnAddr, "--metrics-address=127.0.0.1:0", "--debug")
		procs.add(p)
		return waitMTLS(p, fnAddr, clientCerts, time.Minute)
	})

	tm.step(t, "register the function", func() error { return e.registerFunction(ctx, fnAddr) })

	// The XRDs and Compositions come from the Configuration package,
	// through Crossplane's package manager (catalog_test.go).
	var (
		catalogFile    string
		catalogObjects []*unstructured.Unstructured
		catalogCfg     *unstructured.Unstructured
	)
	tm.step(t, "build the Configuration package", func() error {
		catalogFile, catalogObjects, err = buildCatalog(root, dir)
		return err
	})
	tm.step(t, "push the Configuration package to a loopback registry", func() error {
		host, err := serveRegistry(t, dir)
		if err != nil {
			return err
		}
		catalogCfg, err = pushCatalog(ctx, root, host, catalogFile)
		return err
	})
	tm.step(t, "install the Configuration package", func() error {
		e.catalog, err = e.installCatalog(t, catalogCfg, catalogObjects)
		return err
	})

	tm.step(t, "XRDs established", func() error {
		for _, f := range []string{"xrd.yaml", "legacy/xrd.yaml"} {
			xrd := readObject(t, filepath.Join(root, "example", f))
			_, hasClaims, _ := unstructured.NestedMap(xrd.Object, "spec", "claimNames")
			// The API server takes long to establish a CRD this size (a
			// minute or two on a busy 2-core machine); Crossplane waits
			// for it. Installed by the package manager, whose revision
			// updates every object of the package on each of its
			// reconciles, the XRDs took 4m41s, 4m50s and 8m2s (both) at
			// a load of 10 to 18, against 2m9s applied by hand at 18.
			e.eventually(t, 8*time.Minute, "XRD "+xrd.GetName()+" established", func(ctx context.Context) (bool, string, error) {
				got, err := e.get(ctx, xrdGVK, "", xrd.GetName())
				if err != nil || got == nil {
					return false, "not found", err
				}
				done := conditionIs(got, "Established", "True") && (!hasClaims || conditionIs(got, "Offered", "True"))
				return done, describe(got), nil
			})
		}
		e.xrdsReady = time.Now()
		// And for the RBAC manager's roles to let Crossplane manage them.
		e.waitCrossplaneCan(t, "watch", xrGVK.Group, "llminferenceservices")
		e.waitCrossplaneCan(t, "watch", legacyXRGVK.Group, "xllminferenceservices")
		e.waitCrossplaneCan(t, "watch", claimGVK.Group, "llminferenceservices")
		return nil
	})
	return e
}

// waitCrossplaneCan waits until Crossplane may verb the resource of group.
func (e *env) waitCrossplaneCan(t *testing.T, verb, group, resource string) {
	t.Helper()
	e.eventually(t, time.Minute, fmt.Sprintf("Crossplane allowed to %s %s.%s", verb, resource, group), func(ctx context.Context) (bool, string, error) {
		ok, err := e.crossplaneCan(ctx, verb, group, resource)
		return ok, "not allowed yet", err
	})
}

// registerFunction tells Crossplane where the function runs. Installing the
// Function package (example/functions.yaml) would make Crossplane pull its
// image from a registry, which isn't reachable here, and run it in a pod,
// which can't run here. So the test creates the active FunctionRevision that
// installing it would create, and writes the status the package manager
// would write once the function's Deployment and Service were up: the
// endpoint and the capabilities. Crossplane finds a function's endpoint
// through its active revision alone.
func (e *env) registerFunction(ctx context.Context, addr string) error {
	fns, err := readObjects(filepath.Join(e.root, "example", "functions.yaml"))
	if err != nil {
		return err
	}
	if len(fns) != 1 {
		return fmt.Errorf("example/functions.yaml: want one Function, got %d objects", len(fns))
	}
	fn := fns[0]
	pkg, _, _ := unstructured.NestedString(fn.Object, "spec", "package")
	rev := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{
		"desiredState": "Active",
		"image":        pkg,
		"revision":     int64(1),
	}}}
	rev.SetGroupVersionKind(fnRevisionGVK)
	rev.SetName(fn.GetName() + "-e2e")
	rev.SetLabels(map[string]string{packageLabel: fn.GetName()})
	if _, err := e.apply(ctx, rev); err != nil {
		return err
	}
	st := statusOf(rev, map[string]any{
		"endpoint": addr,
		// Without it Crossplane refuses the function: "missing required
		// capabilities: composition".
		"capabilities": []any{"composition"},
	})
	return e.applyStatus(ctx, "e2e-package-manager", st)
}

// testSeedXR applies the seed manifest as a namespaced XR: every composed
// object must be created (so the API server accepted it, schema and CEL
// rules included), and once the test plays the controllers the XR must
// become Ready with the URL through the Gateway, and report its status in
// KServe's v1alpha2 shape.
func (e *env) testSeedXR(t *testing.T) {
	ctx := context.Background()
	xr := e.seed(t)
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	objs := append(servingObjects(xr.GetName()), schedulerObjects(xr.GetName())...)
	e.waitComposed(t, xrGVK, xr.GetNamespace(), xr.GetName(), xr.GetNamespace(), objs)
	e.waitReady(t, xrGVK, xr.GetNamespace(), xr.GetName(), xr.GetNamespace(), objs,
		"http://"+gatewayAddress+"/"+xr.GetNamespace()+"/"+xr.GetName())
	e.assertSeedStatus(t, xr)
}

// testLegacyClaim submits the seed's claim under the legacy XRD: Crossplane
// makes a cluster-scoped XR, and the function composes into the claim's
// namespace, naming everything after the claim.
func (e *env) testLegacyClaim(t *testing.T) {
	ctx := context.Background()
	claim := readObject(t, filepath.Join(e.example(t, "legacy").Dir, "claim.yaml"))
	ns, name := claim.GetNamespace(), claim.GetName()
	nsObj := &unstructured.Unstructured{}
	nsObj.SetGroupVersionKind(namespaceGVK)
	nsObj.SetName(ns)
	if _, err := e.apply(ctx, nsObj); err != nil {
		t.Fatal(err)
	}
	if _, err := e.apply(ctx, claim); err != nil {
		t.Fatal(err)
	}
	// Deleted when the scenario ends, so that its XR stops composing into
	// the claim's namespace (what example/legacy/xr.yaml composes into).
	t.Cleanup(func() {
		if err := e.remove(context.Background(), claimGVK, ns, name); err != nil {
			t.Errorf("cannot delete the claim %s: %v", key(ns, name), err)
		}
	})
	var xrName string
	e.eventually(t, 2*time.Minute, "claim "+key(ns, name)+" bound to an XR", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, claimGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		xrName, _, _ = unstructured.NestedString(got.Object, "spec", "resourceRef", "name")
		return xrName != "", describe(got), nil
	})
	// The legacy Composition's input turns on the Istio provider extras.
	objs := append(servingObjects(name), schedulerObjects(name)...)
	objs = append(objs, composedObject{"scheduler-destinationrule", destinationRuleGVK, name + "-epp"})
	e.waitComposed(t, legacyXRGVK, "", xrName, ns, objs)
	e.waitReady(t, claimGVK, ns, name, ns, objs, "http://"+gatewayAddress+"/"+ns+"/"+name)
}

// testInvalidUpdate changes the running seed XR to a model URI the function
// refuses. The XR must say why, and nothing it composed may change or go:
// a fatal result makes Crossplane apply and delete nothing.
func (e *env) testInvalidUpdate(t *testing.T) {
	ctx := context.Background()
	xr := e.seed(t)
	ns, name := xr.GetNamespace(), xr.GetName()
	objs := append(servingObjects(name), schedulerObjects(name)...)
	before := e.snapshot(t, ns, objs)

	bad := xr.DeepCopy()
	if err := unstructured.SetNestedField(bad.Object, "gs://b/m", "spec", "model", "uri"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.apply(ctx, bad); err != nil {
		t.Fatalf("the API server refused the update, so the function was never asked: %v", err)
	}
	e.eventually(t, 2*time.Minute, "the XR to report the function's refusal of gs://", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		msg, _ := conditions(got)["Synced"]["message"].(string)
		done := conditionIs(got, "Synced", "False") && strings.Contains(msg, "spec.model.uri") && strings.Contains(msg, "unsupported scheme")
		return done, describe(got) + e.events(ctx, ns, name), nil
	})
	got, err := e.get(ctx, xrGVK, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the XR reports: %s", conditions(got)["Synced"]["message"])

	// Give Crossplane a few more reconciles to do anything it would do.
	time.Sleep(3 * crossplanePollInterval)
	after := e.snapshot(t, ns, objs)
	for _, o := range objs {
		b, a := before[o.String()], after[o.String()]
		switch {
		case a == nil:
			t.Errorf("%s was deleted after the invalid update", o)
		case a.GetUID() != b.GetUID():
			t.Errorf("%s was replaced after the invalid update", o)
		case a.GetResourceVersion() != b.GetResourceVersion():
			t.Errorf("%s changed after the invalid update: resourceVersion %s -> %s; spec equal: %t",
				o, b.GetResourceVersion(), a.GetResourceVersion(), reflect.DeepEqual(b.Object["spec"], a.Object["spec"]))
		}
	}

	// Restore the seed; it must be back to Ready, composing the same.
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	e.waitReady(t, xrGVK, ns, name, ns, objs, "http://"+gatewayAddress+"/"+ns+"/"+name)
}

// testTopologyChange removes the scheduler from the running seed XR:
// Crossplane must delete the pool and the endpoint picker's objects, which
// the function no longer desires, keep the workload and the traffic path,
// and the route must now send traffic to the workload's Service.
func (e *env) testTopologyChange(t *testing.T) {
	ctx := context.Background()
	xr := e.seed(t)
	ns, name := xr.GetNamespace(), xr.GetName()
	kept, gone := servingObjects(name), schedulerObjects(name)
	before := e.snapshot(t, ns, kept)

	unstructured.RemoveNestedField(xr.Object, "spec", "router", "scheduler")
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	e.eventually(t, 3*time.Minute, "the scheduler's objects deleted and the route sent to the workload", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil {
			return false, "", err
		}
		var waiting []string
		for _, o := range gone {
			obj, err := e.get(ctx, o.gvk, ns, o.name)
			if err != nil {
				return false, "", err
			}
			if obj != nil {
				waiting = append(waiting, o.String()+" still exists")
			}
		}
		route, err := e.get(ctx, httpRouteGVK, ns, name+"-route")
		if err != nil {
			return false, "", err
		}
		// Every rule, the inference endpoints' too, past the picker.
		backends := backendsOf(route)
		if backends != "Service "+name+"-workload" {
			waiting = append(waiting, "the route's backends are "+backends)
		}
		return len(waiting) == 0, describe(got) + strings.Join(waiting, "\n"), nil
	})
	after := e.snapshot(t, ns, kept)
	for _, o := range kept {
		if after[o.String()] == nil || after[o.String()].GetUID() != before[o.String()].GetUID() {
			t.Errorf("%s was deleted or replaced; it should have been kept", o)
		}
	}
	e.waitComposed(t, xrGVK, ns, name, ns, kept)
	e.waitReady(t, xrGVK, ns, name, ns, kept, "http://"+gatewayAddress+"/"+ns+"/"+name)
}

// testDelete deletes the seed XR: the garbage collector must delete what it
// composed, as every composed object is owned by the XR.
func (e *env) testDelete(t *testing.T) {
	ctx := context.Background()
	xr := e.seed(t)
	ns, name := xr.GetNamespace(), xr.GetName()
	// The topology change left these.
	objs := servingObjects(name)
	if wait := time.Until(e.xrdsReady.Add(gcResync)); wait > 0 {
		t.Logf("waiting %s for the garbage collector to watch the XR's kind", wait.Round(time.Second))
		time.Sleep(wait)
	}
	if err := e.remove(ctx, xrGVK, ns, name); err != nil {
		t.Fatal(err)
	}
	e.eventually(t, 3*time.Minute, "the XR and what it composed deleted", func(ctx context.Context) (bool, string, error) {
		var left []string
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil {
			return false, "", err
		}
		if got != nil {
			left = append(left, describe(got))
		}
		for _, o := range objs {
			obj, err := e.get(ctx, o.gvk, ns, o.name)
			if err != nil {
				return false, "", err
			}
			if obj != nil {
				left = append(left, o.String()+" still exists")
			}
		}
		return len(left) == 0, strings.Join(left, "\n"), nil
	})
}

// testPrefillDecode applies the prefill/decode example: the decode and
// prefill workloads are two Deployments, both accepted by the API server.
func (e *env) testPrefillDecode(t *testing.T) {
	xr := e.exampleXR(t, "pd")
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-deployment": deploymentGVK,
		"prefill-deployment":  deploymentGVK,
		"scheduler-pool":      inferencePoolGVK,
		"route":               httpRouteGVK,
	})
	if objs["workload-deployment"].GetName() == objs["prefill-deployment"].GetName() {
		t.Errorf("decode and prefill share the Deployment %s", objs["workload-deployment"].GetName())
	}
}

// testWideEP applies the wide expert parallel example: decode and prefill
// are LeaderWorkerSets of two 8-GPU pods each (16 ranks, 8 per node), both
// accepted by the API server with the LeaderWorkerSet CRD's schema, and
// each of their pod templates accepted as a Pod.
func (e *env) testWideEP(t *testing.T) {
	xr := e.exampleXR(t, "wide-ep")
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-leaderworkerset": leaderWorkerSetGVK,
		"prefill-leaderworkerset":  leaderWorkerSetGVK,
		"scheduler-pool":           inferencePoolGVK,
	})
	for _, r := range []string{"workload-leaderworkerset", "prefill-leaderworkerset"} {
		size, _, _ := unstructured.NestedInt64(objs[r].Object, "spec", "leaderWorkerTemplate", "size")
		if size != 2 {
			t.Errorf("%s %s: leaderWorkerTemplate.size is %d, want 2 pods of 8 ranks", r, objs[r].GetName(), size)
		}
		for _, err := range e.dryRunPods(t, objs[r]) {
			t.Errorf("%s: %v", r, err)
		}
	}
}

// testBaseConfig composes an XR from base configurations, one of them an
// EnvironmentConfig in the cluster. Until the EnvironmentConfig exists the
// function must refuse, naming it, and compose nothing; once it exists its
// settings must reach the workload, under the XR's own.
func (e *env) testBaseConfig(t *testing.T) {
	ctx := context.Background()
	ex := e.example(t, "base-configs")
	xr := e.exampleXR(t, ex.Name)
	ns, name := xr.GetNamespace(), xr.GetName()
	nsObj := &unstructured.Unstructured{}
	nsObj.SetGroupVersionKind(namespaceGVK)
	nsObj.SetName(ns)
	if _, err := e.apply(ctx, nsObj); err != nil {
		t.Fatal(err)
	}
	if _, err := e.apply(ctx, xr); err != nil {
		t.Fatal(err)
	}
	envConfig := readObject(t, ex.Required)
	e.eventually(t, 2*time.Minute, "the XR to report the missing EnvironmentConfig "+envConfig.GetName(), func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, xrGVK, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		msg, _ := conditions(got)["Synced"]["message"].(string)
		done := conditionIs(got, "Synced", "False") && strings.Contains(msg, envConfig.GetName()) && strings.Contains(msg, "no such base configuration")
		return done, describe(got), nil
	})
	if got, err := e.get(ctx, xrGVK, ns, name); err != nil {
		t.Fatal(err)
	} else if refs := resourceRefs(got); len(refs) > 0 {
		t.Errorf("the XR composed %v without its EnvironmentConfig", refs)
	}

	if _, err := e.apply(ctx, envConfig); err != nil {
		t.Fatal(err)
	}
	objs := e.waitListed(t, xr, map[string]schema.GroupVersionKind{"workload-deployment": deploymentGVK, "scheduler-pool": inferencePoolGVK})
	d := objs["workload-deployment"]
	// replicas: the XR's 4 over the EnvironmentConfig's 2.
	if r, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas"); r != 4 {
		t.Errorf("Deployment %s has %d replicas, want the XR's 4 over the EnvironmentConfig's 2", d.GetName(), r)
	}
	// priorityClassName: only the EnvironmentConfig sets it.
	if pc, _, _ := unstructured.NestedString(d.Object, "spec", "template", "spec", "priorityClassName"); pc != "search-serving" {
		t.Errorf("Deployment %s has priorityClassName %q, want the EnvironmentConfig's search-serving", d.GetName(), pc)
	}
	got, err := e.get(ctx, xrGVK, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	layers, _, _ := unstructured.NestedSlice(got.Object, "status", "configurations")
	found := false
	for _, l := range layers {
		m, _ := l.(map[string]any)
		found = found || (m["name"] == envConfig.GetName() && m["source"] == "EnvironmentConfig")
	}
	if !found {
		t.Errorf("status.configurations %v does not list the EnvironmentConfig %s", layers, envConfig.GetName())
	}
}

// testRestricted composes example/restricted (model servers as a non-root
// user) into a namespace that enforces the Pod Security restricted profile,
// and has the API server's own Pod Security admission accept every pod
// template as a Pod: decode with its routing sidecar, prefill, both with a
// modelcar and the storage initializer, and the endpoint picker. A decode
// pod left to run as the image's user must be refused there, or the
// namespace would not be enforcing anything.
func (e *env) testRestricted(t *testing.T) {
	ctx := context.Background()
	xr := e.exampleXR(t, "restricted")
	xr.SetNamespace("serving-restricted")
	ns := &unstructured.Unstructured{}
	ns.SetGroupVersionKind(namespaceGVK)
	ns.SetName(xr.GetNamespace())
	ns.SetLabels(map[string]string{"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"})
	if _, err := e.apply(ctx, ns); err != nil {
		t.Fatal(err)
	}
	objs := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-deployment":  deploymentGVK,
		"prefill-deployment":   deploymentGVK,
		"scheduler-deployment": deploymentGVK,
	})
	for _, r := range []string{"workload-deployment", "prefill-deployment", "scheduler-deployment"} {
		tmpl, _, _ := unstructured.NestedMap(objs[r].Object, "spec", "template")
		if err := e.dryRunPod(t, xr.GetNamespace(), objs[r].GetName(), tmpl); err != nil {
			t.Errorf("%s %s: its pod is not admitted in a restricted namespace: %v", r, objs[r].GetName(), err)
		}
	}

	tmpl, _, _ := unstructured.NestedMap(objs["workload-deployment"].Object, "spec", "template")
	unstructured.RemoveNestedField(tmpl, "spec", "securityContext", "runAsNonRoot")
	unstructured.RemoveNestedField(tmpl, "spec", "securityContext", "runAsUser")
	err := e.dryRunPod(t, xr.GetNamespace(), "as-the-image-user", tmpl)
	if err == nil || !strings.Contains(err.Error(), "violates PodSecurity") {
		t.Errorf("a decode pod running as the image's user was not refused by Pod Security admission: %v", err)
	}
}

// example returns the example called name (its directory under example/).
func (e *env) example(t *testing.T, name string) examples.Example {
	t.Helper()
	names := make([]string, 0, len(e.examples))
	for _, ex := range e.examples {
		if ex.Name == name {
			return ex
		}
		names = append(names, ex.Name)
	}
	t.Fatalf("no example %q; the examples are %s", name, strings.Join(names, ", "))
	return examples.Example{}
}

// exampleXR applies the Composition of the example called name, unless the
// Configuration package installed it, and returns its XR naming that
// Composition: with several Compositions for the kind, an XR that names none
// may be given any of them.
func (e *env) exampleXR(t *testing.T, name string) *unstructured.Unstructured {
	t.Helper()
	ex := e.example(t, name)
	composition := readObject(t, ex.Composition)
	// crossplane render wants a Composition that names the XR's own
	// version (example/v1alpha1's names v1alpha1); a cluster reads every
	// XR at the referenceable version and composes it only with a
	// Composition for that one.
	typeRef := []string{"spec", "compositeTypeRef", "apiVersion"}
	if api, _, _ := unstructured.NestedString(composition.Object, typeRef...); !strings.HasSuffix(api, "/"+referenceableVersion) {
		group, _, _ := strings.Cut(api, "/")
		if err := unstructured.SetNestedField(composition.Object, group+"/"+referenceableVersion, typeRef...); err != nil {
			t.Fatal(err)
		}
	}
	// The Compositions the package carries are the package manager's;
	// only the render fixtures' are applied here.
	if !e.catalog.has(composition) {
		if _, err := e.apply(context.Background(), composition); err != nil {
			t.Fatal(err)
		}
	}
	xr := readObject(t, ex.XR)
	// A v2 XR has Crossplane's fields under spec.crossplane, a legacy one
	// right under spec.
	ref := []string{"spec", "crossplane", "compositionRef", "name"}
	if xr.GroupVersionKind().GroupKind() == legacyXRGVK.GroupKind() {
		ref = []string{"spec", "compositionRef", "name"}
	}
	if err := unstructured.SetNestedField(xr.Object, composition.GetName(), ref...); err != nil {
		t.Fatal(err)
	}
	return xr
}

// applyAndWaitListed applies xr and waits for what it composes (see
// waitListed). The XR is deleted when the scenario ends, passed or not, so
// that it stops reconciling while the next scenarios run.
func (e *env) applyAndWaitListed(t *testing.T, xr *unstructured.Unstructured, want map[string]schema.GroupVersionKind) map[string]*unstructured.Unstructured {
	t.Helper()
	if _, err := e.apply(context.Background(), xr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.remove(context.Background(), xr.GroupVersionKind(), xr.GetNamespace(), xr.GetName()); err != nil {
			t.Errorf("cannot delete %s: %v", key(xr.GetNamespace(), xr.GetName()), err)
		}
	})
	return e.waitListed(t, xr, want)
}

// waitListed waits until the XR (namespaced or legacy) is Synced and every
// object it lists as composed exists, and returns them by composed resource
// name. The composed resources want names must be among them, of the kinds
// given.
func (e *env) waitListed(t *testing.T, xr *unstructured.Unstructured, want map[string]schema.GroupVersionKind) map[string]*unstructured.Unstructured {
	t.Helper()
	gvk, ns, name := xr.GroupVersionKind(), xr.GetNamespace(), xr.GetName()
	var out map[string]*unstructured.Unstructured
	e.eventually(t, 3*time.Minute, fmt.Sprintf("what %s %s composes", gvk.Kind, key(ns, name)), func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, gvk, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		state := describe(got) + e.events(ctx, ns, name)
		// Under spec.crossplane in a v2 XR, under spec in a legacy one,
		// which also names the namespace of each.
		refs, ok, _ := unstructured.NestedSlice(got.Object, "spec", "crossplane", "resourceRefs")
		if !ok {
			refs, _, _ = unstructured.NestedSlice(got.Object, "spec", "resourceRefs")
		}
		if !conditionIs(got, "Synced", "True") || len(refs) == 0 {
			return false, state, nil
		}
		out = map[string]*unstructured.Unstructured{}
		var problems []string
		for _, r := range refs {
			m, _ := r.(map[string]any)
			apiVersion, _ := m["apiVersion"].(string)
			kind, _ := m["kind"].(string)
			n, _ := m["name"].(string)
			refNS, _ := m["namespace"].(string)
			if refNS == "" {
				refNS = ns
			}
			obj, err := e.get(ctx, schema.FromAPIVersionAndKind(apiVersion, kind), refNS, n)
			if err != nil {
				return false, state, err
			}
			if obj == nil {
				problems = append(problems, kind+" "+n+" not created")
				continue
			}
			out[obj.GetAnnotations()[resourceNameAn]] = obj
		}
		for res, gvk := range want {
			if o, ok := out[res]; !ok || o.GroupVersionKind() != gvk {
				problems = append(problems, fmt.Sprintf("no %s composed as %q", gvk.Kind, res))
			}
		}
		return len(problems) == 0, state + "\n" + strings.Join(problems, "\n"), nil
	})
	return out
}

// dryRunPods asks the API server to validate each pod template of a
// LeaderWorkerSet as a Pod, without storing it (dryRun=All). The
// LeaderWorkerSet CRD's schema checks the templates' shape only; the Pod
// validation the LeaderWorkerSet controller's pods will meet (an image for
// every container, for one) runs only on Pods and their templates in
// built-in workloads. No kubelet runs here, so nothing would ever start.
func (e *env) dryRunPods(t *testing.T, lws *unstructured.Unstructured) []error {
	t.Helper()
	var errs []error
	for _, role := range []string{"leaderTemplate", "workerTemplate"} {
		tmpl, ok, _ := unstructured.NestedMap(lws.Object, "spec", "leaderWorkerTemplate", role)
		if !ok {
			continue
		}
		name := lws.GetName() + "-" + strings.ToLower(strings.TrimSuffix(role, "Template"))
		if err := e.dryRunPod(t, lws.GetNamespace(), name, tmpl); err != nil {
			errs = append(errs, fmt.Errorf("LeaderWorkerSet %s %s is not a valid Pod: %w", lws.GetName(), role, err))
		}
	}
	return errs
}

// dryRunPod creates the pod template tmpl as a Pod named name in namespace
// ns with dryRun=All: validated and admitted (Pod Security included), never
// stored.
func (e *env) dryRunPod(t *testing.T, ns, name string, tmpl map[string]any) error {
	t.Helper()
	// Pod admission needs the namespace's default service account, which
	// kube-controller-manager's serviceaccount controller creates.
	e.eventually(t, time.Minute, "service account "+key(ns, "default"), func(ctx context.Context) (bool, string, error) {
		sa, err := e.get(ctx, serviceAccountGVK, ns, "default")
		return sa != nil, "not created yet", err
	})
	podSpec, _, _ := unstructured.NestedMap(tmpl, "spec")
	labels, _, _ := unstructured.NestedStringMap(tmpl, "metadata", "labels")
	annotations, _, _ := unstructured.NestedStringMap(tmpl, "metadata", "annotations")
	pod := &unstructured.Unstructured{Object: map[string]any{"spec": podSpec}}
	pod.SetGroupVersionKind(schema.GroupVersionKind{Version: "v1", Kind: "Pod"})
	pod.SetNamespace(ns)
	pod.SetName(name)
	pod.SetLabels(labels)
	pod.SetAnnotations(annotations)
	r, err := e.resource(pod)
	if err != nil {
		return err
	}
	_, err = r.Create(context.Background(), pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	return err
}

// seed is the seed manifest, example/single-node/xr.yaml.
func (e *env) seed(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	return e.exampleXR(t, "single-node")
}

// waitComposed waits until every one of objs exists in namespace, is the
// composed resource the function named, and is controlled by the XR of gvk,
// and until the XR lists exactly objs as what it composed.
func (e *env) waitComposed(t *testing.T, gvk schema.GroupVersionKind, xrNamespace, xrName, namespace string, objs []composedObject) {
	t.Helper()
	var want []string
	for _, o := range objs {
		want = append(want, o.String())
	}
	sort.Strings(want)
	e.eventually(t, 3*time.Minute, fmt.Sprintf("%d composed objects of %s %s", len(objs), gvk.Kind, key(xrNamespace, xrName)), func(ctx context.Context) (bool, string, error) {
		xr, err := e.get(ctx, gvk, xrNamespace, xrName)
		if err != nil || xr == nil {
			return false, describe(xr), err
		}
		var problems []string
		for _, o := range objs {
			got, err := e.get(ctx, o.gvk, namespace, o.name)
			if err != nil {
				return false, "", err
			}
			if got == nil {
				problems = append(problems, o.String()+" not created")
				continue
			}
			if an := got.GetAnnotations()[resourceNameAn]; an != o.resource {
				problems = append(problems, fmt.Sprintf("%s is composed resource %q, want %q", o, an, o.resource))
			}
			if !controlledBy(got, xr) {
				problems = append(problems, fmt.Sprintf("%s is not controlled by the XR: %v", o, got.GetOwnerReferences()))
			}
		}
		refs := resourceRefs(xr)
		sort.Strings(refs)
		if !slices.Equal(refs, want) {
			problems = append(problems, fmt.Sprintf("the XR lists %v, want %v", refs, want))
		}
		return len(problems) == 0, describe(xr) + e.events(ctx, xr.GetNamespace(), xrName) + "\n" + strings.Join(problems, "\n"), nil
	})
}

// waitReady plays the controllers of objs until the XR or claim of gvk is
// Synced and Ready and reports url.
func (e *env) waitReady(t *testing.T, gvk schema.GroupVersionKind, ns, name, objNamespace string, objs []composedObject, url string) {
	t.Helper()
	e.eventually(t, 3*time.Minute, fmt.Sprintf("%s %s Ready at %s", gvk.Kind, key(ns, name), url), func(ctx context.Context) (bool, string, error) {
		if err := e.playControllers(ctx, objNamespace, objs); err != nil {
			return false, "", err
		}
		got, err := e.get(ctx, gvk, ns, name)
		if err != nil || got == nil {
			return false, describe(got), err
		}
		gotURL, _, _ := unstructured.NestedString(got.Object, "status", "url")
		done := conditionIs(got, "Synced", "True") && conditionIs(got, "Ready", "True") && gotURL == url
		return done, describe(got), nil
	})
}

// snapshot returns each of objs as the API server holds it now, by
// String(); nil for one that doesn't exist.
func (e *env) snapshot(t *testing.T, namespace string, objs []composedObject) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		got, err := e.get(context.Background(), o.gvk, namespace, o.name)
		if err != nil {
			t.Fatal(err)
		}
		out[o.String()] = got
	}
	return out
}

// controlledBy is true when owner is obj's controller.
func controlledBy(obj, owner *unstructured.Unstructured) bool {
	for _, r := range obj.GetOwnerReferences() {
		if r.Controller != nil && *r.Controller {
			return r.UID == owner.GetUID()
		}
	}
	return false
}

// backendsOf names the backends of all the route's rules as "Kind name",
// sorted and once each; an empty kind is a Service, as in the Gateway API.
func backendsOf(route *unstructured.Unstructured) string {
	if route == nil {
		return "(no route)"
	}
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	if len(rules) == 0 {
		return "(no rules)"
	}
	var out []string
	for _, r := range rules {
		refs, _, _ := unstructured.NestedSlice(r.(map[string]any), "backendRefs")
		for _, b := range refs {
			ref, _ := b.(map[string]any)
			kind, _ := ref["kind"].(string)
			if kind == "" {
				kind = "Service"
			}
			out = append(out, fmt.Sprintf("%s %v", kind, ref["name"]))
		}
	}
	if len(out) == 0 {
		return "(no backendRefs)"
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ", ")
}
