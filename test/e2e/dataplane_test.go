//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The data-plane scenario composes example/single-node into namespaces of
// its own: dataplaneNS for the XR, dataplaneOtherNS for a pod that differs
// from the pool's only by namespace.
const (
	dataplaneNS      = "dataplane"
	dataplaneOtherNS = "dataplane-other"
)

// requestsPerCheck is how many completions each check of where the picker
// routes sends. With three pool pods, a picker choosing at random would
// send all of them to one given pod once in 3^7 runs.
const requestsPerCheck = 8

// testDataPlane runs a real endpoint picker on what the function composed
// and sends completions through it, as a gateway would:
//
//   - kube-controller-manager's deployment and replicaset controllers make
//     the pods of the composed Deployments, and the test marks them Running
//     and Ready with loopback IPs, as a kubelet would, and serves on those
//     IPs what vLLM would (modelServer);
//   - the picker (GIE's, see picker_test.go) runs with the composed args,
//     env and config, authenticated as the composed ServiceAccount, so that
//     the composed Role is all it may do;
//   - a gateway stand-in follows the InferencePool's endpointPickerRef to
//     the picker, asks it over ext-proc where each request goes, and sends
//     it there.
//
// It proves that the picker picks only the pool's pods, prefers the less
// loaded one, stops picking a pod that is not Ready, and cannot work with
// one verb less than the composed Role grants.
func (e *env) testDataPlane(t *testing.T) {
	ctx := context.Background()
	for _, ns := range []string{dataplaneNS, dataplaneOtherNS} {
		nsObj := &unstructured.Unstructured{}
		nsObj.SetGroupVersionKind(namespaceGVK)
		nsObj.SetName(ns)
		if _, err := e.apply(ctx, nsObj); err != nil {
			t.Fatal(err)
		}
	}
	kcm := e.startWorkloadControllers(t)

	xr := e.exampleXR(t, "single-node")
	xr.SetNamespace(dataplaneNS)
	composed := e.applyAndWaitListed(t, xr, map[string]schema.GroupVersionKind{
		"workload-deployment":      deploymentGVK,
		"scheduler-deployment":     deploymentGVK,
		"scheduler-service":        serviceGVK,
		"scheduler-serviceaccount": serviceAccountGVK,
		"scheduler-role":           roleGVK,
		"scheduler-rolebinding":    roleBindingGVK,
		"scheduler-config":         configMapGVK,
		"scheduler-pool":           inferencePoolGVK,
	})
	model, _, _ := unstructured.NestedString(xr.Object, "spec", "model", "name")
	pool := composed["scheduler-pool"]
	var (
		workload     = typed[appsv1.Deployment](t, composed["workload-deployment"])
		pickerDeploy = typed[appsv1.Deployment](t, composed["scheduler-deployment"])
		pickerSvc    = typed[corev1.Service](t, composed["scheduler-service"])
		role         = typed[rbacv1.Role](t, composed["scheduler-role"])
		config       = typed[corev1.ConfigMap](t, composed["scheduler-config"])
	)
	selector, port := poolSelector(t, pool)

	// The pods the ReplicaSets of the composed Deployments make.
	modelPods := e.waitPods(t, kcm, workload)
	if len(modelPods) < 3 {
		t.Fatalf("the scenario needs three model server pods; Deployment %s makes %d", workload.Name, len(modelPods))
	}
	pickerPods := e.waitPods(t, kcm, pickerDeploy)
	if len(pickerPods) != 1 {
		t.Fatalf("Deployment %s made %d picker pods; the test runs one", pickerDeploy.Name, len(pickerPods))
	}
	for _, p := range modelPods {
		if !selector.Matches(labels.Set(p.Labels)) {
			t.Fatalf("pod %s of Deployment %s has labels %v, which the pool's selector %s does not match", p.Name, workload.Name, p.Labels, selector)
		}
	}

	// vLLM on each model pod, Running and Ready; models[i] serves
	// modelPods[i].
	taken := map[string]bool{}
	models := make([]*modelServer, 0, len(modelPods))
	for _, p := range modelPods {
		s := startModelServer(t, listenLoopback(t, port, taken), key(p.Namespace, p.Name), model, busy)
		models = append(models, s)
		if err := setPodRunning(ctx, e.kube, p, s.ip, true); err != nil {
			t.Fatal(err)
		}
	}
	// The Deployment controller counts them as a kubelet's: available.
	e.eventually(t, time.Minute, "Deployment "+workload.Name+" available", func(ctx context.Context) (bool, string, error) {
		d, err := e.kube.AppsV1().Deployments(workload.Namespace).Get(ctx, workload.Name, metav1.GetOptions{})
		if err != nil {
			return false, "", err
		}
		return d.Status.AvailableReplicas == int32(len(modelPods)), fmt.Sprintf("%d of %d replicas available", d.Status.AvailableReplicas, len(modelPods)), nil //nolint:gosec // a handful of pods.
	})
	// Pods the picker must never pick, idler than any pool pod: one with
	// a label of the pool's selector changed, one with the pool's labels
	// in another namespace (a pool selects pods of its own namespace
	// only), and, once it serves, the picker's own pod.
	decoys := e.startDecoys(t, selector, port, model, taken)

	// The picker, as the composed ServiceAccount.
	token, err := e.requestToken(ctx, dataplaneNS, pickerDeploy.Spec.Template.Spec.ServiceAccountName)
	if err != nil {
		t.Fatal(err)
	}
	pk := e.startPicker(t, pickerRun{name: "picker", deployment: pickerDeploy, config: config, pod: pickerPods[0], token: token})
	e.waitServing(t, pk)
	pickerServer := startModelServer(t, listenLoopback(t, port, taken), key(pickerPods[0].Namespace, pickerPods[0].Name), model, idle)
	if err := setPodRunning(ctx, e.kube, pickerPods[0], pickerServer.ip, true); err != nil {
		t.Fatal(err)
	}
	decoys = append(decoys, pickerServer)

	gw := e.gatewayFor(t, pool, pickerSvc, pickerDeploy, pk)
	r := &router{e: e, gw: gw, model: model, port: port, pool: models, decoys: decoys, picker: pk}

	t.Run("picks only the pool's pods, the less loaded first", func(t *testing.T) {
		a, b, c := models[0], models[1], models[2]
		r.setLoads(t, map[*modelServer]load{a: idle, b: busy, c: busy})
		r.expect(t, requestsPerCheck, func(s *modelServer) bool { return s == a }, "the idle pod "+a.pod)
		// The other way round, so that a picker preferring a pod for
		// anything but its load would fail one of the two.
		r.setLoads(t, map[*modelServer]load{a: busy, b: idle, c: busy})
		r.expect(t, requestsPerCheck, func(s *modelServer) bool { return s == b }, "the idle pod "+b.pod)
	})

	t.Run("stops picking a pod that is not Ready", func(t *testing.T) {
		a, b, c := models[0], models[1], models[2]
		// b is the idle one, and stops being Ready.
		r.setLoads(t, map[*modelServer]load{a: busy, b: idle, c: busy})
		if err := setPodRunning(ctx, e.kube, modelPods[1], b.ip, false); err != nil {
			t.Fatal(err)
		}
		r.eventually(t, "a request routed elsewhere than the unready "+b.pod, func(s *modelServer) bool { return s != b })
		r.expect(t, requestsPerCheck, func(s *modelServer) bool { return s == a || s == c }, "the Ready pods "+a.pod+" and "+c.pod)
		// Ready again, it is the idle one again.
		if err := setPodRunning(ctx, e.kube, modelPods[1], b.ip, true); err != nil {
			t.Fatal(err)
		}
		r.eventually(t, b.pod+" picked again once Ready", func(s *modelServer) bool { return s == b })
	})

	t.Run("the composed Role is needed as composed", func(t *testing.T) {
		e.testReducedRoles(t, role, pickerRun{deployment: pickerDeploy, config: config, pod: pickerPods[0]})
	})

	t.Run("never asked the decoys", func(t *testing.T) {
		for _, d := range decoys {
			if scrapes, completions := d.counts(); scrapes != 0 || completions != 0 {
				t.Errorf("the picker scraped %s %d times and routed %d completions to it; it is not in the pool", d.pod, scrapes, completions)
			}
		}
	})
}

// A router sends completions through the gateway and checks where they go.
type router struct {
	e      *env
	gw     *gateway
	model  string
	port   int32
	pool   []*modelServer
	decoys []*modelServer
	picker *picker
	sent   int
}

// setLoads changes what the model servers report and waits until the
// picker has read it: until each has been scraped twice since, so that the
// first scrape's result is stored (each pod's metrics are scraped one
// request after the other).
func (r *router) setLoads(t *testing.T, loads map[*modelServer]load) {
	t.Helper()
	before := map[*modelServer]int{}
	for s, l := range loads {
		before[s] = s.setLoad(l)
	}
	r.e.eventually(t, time.Minute, "the picker to read the new metrics", func(context.Context) (bool, string, error) {
		if err := r.picker.exited(); err != nil {
			return false, "", err
		}
		var waiting []string
		for s, n := range before {
			if got, _ := s.counts(); got < n+2 {
				waiting = append(waiting, fmt.Sprintf("%s scraped %d times since", s.pod, got-n))
			}
		}
		slices.Sort(waiting)
		return len(waiting) == 0, strings.Join(waiting, "\n"), nil
	})
}

// send sends one completion through the gateway and returns the pool pod
// that served it. Routing to anything but a pool pod's model server, or an
// answer that is not that server's, fails the test.
func (r *router) send(t *testing.T) *modelServer {
	t.Helper()
	r.sent++
	// Prompts differ from their first character on, so that the
	// prefix-cache scorer has no prefix to prefer a pod for.
	prompt := fmt.Sprintf("%s: completion %d", randomToken(t), r.sent)
	got, err := r.gw.completion(context.Background(), r.model, prompt)
	if err != nil {
		t.Fatalf("completion %d: %v\npicker log:\n%s", r.sent, err, r.picker.tail(logLines))
	}
	server := r.serverAt(got.endpoint)
	if server == nil {
		t.Fatalf("completion %d was routed to %s, which is no pod of the pool (%s)", r.sent, got.endpoint, r.describe())
	}
	var answer completion
	if err := json.Unmarshal(got.body, &answer); err != nil || got.status != 200 {
		t.Fatalf("completion %d: %s answered %d %s (%v)", r.sent, got.endpoint, got.status, got.body, err)
	}
	if answer.ServedBy != server.pod || answer.Model != r.model {
		t.Fatalf("completion %d: the client got %+v, want the answer of %s for model %s", r.sent, answer, server.pod, r.model)
	}
	return server
}

// expect sends n completions; every one must be served by a pod want
// accepts (described by what).
func (r *router) expect(t *testing.T, n int, want func(*modelServer) bool, what string) {
	t.Helper()
	var got []string
	ok := true
	for range n {
		s := r.send(t)
		got = append(got, s.pod)
		ok = ok && want(s)
	}
	if !ok {
		t.Errorf("the picker routed %d completions to %v; want every one to %s", n, got, what)
	}
	t.Logf("%d completions routed to %s", n, what)
}

// eventually sends completions until one is served by a pod want accepts:
// the picker learns of a pod's readiness from its watch, a moment after
// the change.
func (r *router) eventually(t *testing.T, what string, want func(*modelServer) bool) {
	t.Helper()
	var last string
	r.e.eventually(t, time.Minute, what, func(context.Context) (bool, string, error) {
		s := r.send(t)
		last = "the last completion went to " + s.pod
		return want(s), last, nil
	})
}

// serverAt returns the pool pod's model server at endpoint (ip:port).
func (r *router) serverAt(endpoint string) *modelServer {
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil || port != strconv.Itoa(int(r.port)) {
		return nil
	}
	for _, s := range r.pool {
		if s.ip == host {
			return s
		}
	}
	return nil
}

// describe names every model server, pool and decoys, by address.
func (r *router) describe() string {
	var out []string
	for _, s := range r.pool {
		out = append(out, fmt.Sprintf("pool pod %s at %s", s.pod, s.ip))
	}
	for _, s := range r.decoys {
		out = append(out, fmt.Sprintf("decoy %s at %s", s.pod, s.ip))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// startDecoys creates the pods no picker of the pool may pick, Running and
// Ready with an idle model server each.
func (e *env) startDecoys(t *testing.T, selector labels.Selector, port int32, model string, taken map[string]bool) []*modelServer {
	t.Helper()
	ctx := context.Background()
	poolLabels, err := labels.ConvertSelectorToLabelsMap(selector.String())
	if err != nil {
		t.Fatal(err)
	}
	// One label of the selector with another value.
	changed := maps.Clone(poolLabels)
	first := sortedKeys(changed)[0]
	changed[first] = "not-" + changed[first]
	var out []*modelServer
	for _, d := range []struct {
		ns, name string
		labels   map[string]string
	}{
		{dataplaneNS, "not-in-pool", changed},
		{dataplaneOtherNS, "pool-labels-other-namespace", poolLabels},
	} {
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: d.ns, Name: d.name, Labels: d.labels},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{
				Name: "main", Image: "vllm/vllm-openai:latest",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: port}},
			}}},
		}
		e.waitDefaultServiceAccount(t, d.ns)
		created, err := e.kube.CoreV1().Pods(d.ns).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("cannot create the decoy pod %s: %v", key(d.ns, d.name), err)
		}
		s := startModelServer(t, listenLoopback(t, port, taken), key(d.ns, d.name), model, idle)
		if err := setPodRunning(ctx, e.kube, created, s.ip, true); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// gatewayFor connects a gateway to the pool's picker the way a Gateway
// implementation finds it: the pool's endpointPickerRef names a Service
// port, whose targetPort is the picker container's port, on which the
// picker process listens (at its local port).
func (e *env) gatewayFor(t *testing.T, pool *unstructured.Unstructured, svc *corev1.Service, d *appsv1.Deployment, p *picker) *gateway {
	t.Helper()
	refName, _, _ := unstructured.NestedString(pool.Object, "spec", "endpointPickerRef", "name")
	refPort, _, _ := unstructured.NestedInt64(pool.Object, "spec", "endpointPickerRef", "port", "number")
	if refName != svc.Name {
		t.Fatalf("the pool's endpointPickerRef names Service %q, not the composed %s", refName, svc.Name)
	}
	idx := slices.IndexFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return int64(sp.Port) == refPort })
	if idx < 0 {
		t.Fatalf("Service %s has no port %d, which the pool's endpointPickerRef names", svc.Name, refPort)
	}
	target := svc.Spec.Ports[idx].TargetPort
	containerPort := target.IntVal
	if target.StrVal != "" {
		c := d.Spec.Template.Spec.Containers[0]
		i := slices.IndexFunc(c.Ports, func(cp corev1.ContainerPort) bool { return cp.Name == target.StrVal })
		if i < 0 {
			t.Fatalf("Service %s targets port %q, which the picker container does not name", svc.Name, target.StrVal)
		}
		containerPort = c.Ports[i].ContainerPort
	}
	addr, err := p.addr(containerPort)
	if err != nil {
		t.Fatalf("Service %s port %d targets the picker's port %d: %v", svc.Name, refPort, containerPort, err)
	}
	gw, err := newGateway(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close() })
	e.eventually(t, time.Minute, "the gateway connected to the picker", func(context.Context) (bool, string, error) {
		ok, state := gw.connected()
		return ok, state, p.exited()
	})
	return gw
}

// poolSelector returns the pool's pod selector and its (first) target port,
// which vLLM serves completions and metrics on.
func poolSelector(t *testing.T, pool *unstructured.Unstructured) (labels.Selector, int32) {
	t.Helper()
	match, _, _ := unstructured.NestedStringMap(pool.Object, "spec", "selector", "matchLabels")
	ports, _, _ := unstructured.NestedSlice(pool.Object, "spec", "targetPorts")
	if len(match) == 0 || len(ports) == 0 {
		t.Fatalf("InferencePool %s has no selector or no target port", pool.GetName())
	}
	n, _, _ := unstructured.NestedInt64(ports[0].(map[string]any), "number")
	return labels.SelectorFromSet(match), int32(n) //nolint:gosec // a port number, validated by the CRD.
}

// startWorkloadControllers runs kube-controller-manager's deployment and
// replicaset controllers for this scenario only, in a process of their own:
// the other scenarios write the Deployment status themselves (playing the
// controller, as no pod can become ready there), which the real controller
// would overwrite.
func (e *env) startWorkloadControllers(t *testing.T) *process {
	t.Helper()
	return start(t, e.dir, "kube-controller-manager-workloads", e.kcmBin, nil,
		"--kubeconfig="+e.kubeconfig, "--controllers=deployment,replicaset",
		"--leader-elect=false", "--secure-port=0")
}

// waitPods waits until the ReplicaSet of Deployment d has made all its
// pods, and returns them sorted by name.
func (e *env) waitPods(t *testing.T, kcm *process, d *appsv1.Deployment) []*corev1.Pod {
	t.Helper()
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	var out []*corev1.Pod
	e.eventually(t, 2*time.Minute, fmt.Sprintf("%d pods of Deployment %s", want, d.Name), func(ctx context.Context) (bool, string, error) {
		if err := kcm.exited(); err != nil {
			return false, "", fmt.Errorf("%w\n%s", err, kcm.tail(logLines))
		}
		rss, err := e.kube.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		owned := map[string]bool{}
		for _, rs := range rss.Items {
			if c := metav1.GetControllerOf(&rs); c != nil && c.UID == d.UID {
				owned[string(rs.UID)] = true
			}
		}
		pods, err := e.kube.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		out = nil
		for i := range pods.Items {
			if c := metav1.GetControllerOf(&pods.Items[i]); c != nil && owned[string(c.UID)] {
				out = append(out, &pods.Items[i])
			}
		}
		slices.SortFunc(out, func(a, b *corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
		state := fmt.Sprintf("%d ReplicaSets, %d pods of them%s", len(owned), len(out), e.events(ctx, d.Namespace, d.Name))
		return int32(len(out)) == want, state, nil //nolint:gosec // a handful of pods.
	})
	return out
}

// waitDefaultServiceAccount waits for the namespace's default service
// account, which Pod admission needs and kube-controller-manager's
// serviceaccount controller creates.
func (e *env) waitDefaultServiceAccount(t *testing.T, ns string) {
	t.Helper()
	e.eventually(t, time.Minute, "service account "+key(ns, "default"), func(ctx context.Context) (bool, string, error) {
		sa, err := e.get(ctx, serviceAccountGVK, ns, "default")
		return sa != nil, "not created yet", err
	})
}

// typed converts a composed object the API server returned to its Go type.
func typed[T any](t *testing.T, u *unstructured.Unstructured) *T {
	t.Helper()
	out := new(T)
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, out); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
