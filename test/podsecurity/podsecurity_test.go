// Package podsecurity checks every pod template the function composes
// against the Pod Security Standards, with the policy code of the Pod
// Security admission controller itself (k8s.io/pod-security-admission), at
// the latest policy version.
//
// The pods are those of the render goldens in ../render/testdata/golden: the
// render tests keep them identical to what the function composes for every
// example through the real crossplane CLI, so every topology (single node,
// prefill/decode, LeaderWorkerSets, modelcars, the endpoint picker) is
// covered without running the function again here.
package podsecurity

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"
)

// Names the function gives what it composes, as they appear in the goldens.
const (
	labelComponent     = "app.kubernetes.io/component"
	componentScheduler = "llminferenceservice-router-scheduler"
	routingSidecar     = "llm-d-routing-sidecar"
	modelcar           = "modelcar"
	storageInitializer = "storage-initializer"
)

// restrictedGoldens are the goldens of a Composition that runs model
// servers as a non-root user (the Function input's modelServer.runAsUser):
// every pod in them must pass restricted with no gap, and between them they
// must hold every container the function adds to a model-server pod, so
// each is proven able to run restricted.
var restrictedGoldens = map[string]bool{"restricted": true}

// restrictedGaps are the restricted checks a model-server pod, or a
// sidecar the function adds to one, is allowed to fail, each with the reason
// it cannot pass by default. Any other failure is a regression; a gap no
// pod shows any more must be removed from here (and from the README), so
// the list stays true. The key is "pod" for the model-server pod as a
// whole, else the container's name.
var restrictedGaps = map[string]map[string]string{
	// The vLLM images (vllm/vllm-openai and the CUDA images it builds on)
	// run as root and declare no numeric USER: runAsNonRoot: true would
	// make the kubelet refuse to start them. A platform whose image runs
	// as a non-root user sets it in a preset or base configuration.
	"pod": {"runAsNonRoot != true": "the vLLM image runs as root"},
	// vLLM reads the model through /proc/<modelcar>/root, which the kernel
	// allows across containers only between processes of the same user
	// and group (every capability is dropped, CAP_SYS_PTRACE too): the
	// modelcar runs as the user vLLM runs as, root by default. The
	// restricted goldens show it passing once vLLM runs as non-root.
	modelcar: {"runAsNonRoot != true": "the modelcar must run as vLLM's user, root by default"},
	// llm-d's routing sidecar runs as a non-root user: no gap.
	routingSidecar: {},
}

// ipcLockGoldens are the goldens of a Composition that allows RDMA's
// IPC_LOCK capability (the Function input's podSecurity.ipcLock: Enabled):
// their pods are checked as the function checks them, without IPC_LOCK,
// and each golden must hold a pod that adds it, so the entry stays true.
var ipcLockGoldens = map[string]bool{"rdma": true}

// A pod is one pod template found in a golden.
type pod struct {
	// where names it for messages: golden, kind, name and template.
	where  string
	golden string
	meta   corev1.PodTemplateSpec
}

func TestPodSecurity(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	baseline := api.LevelVersion{Level: api.LevelBaseline, Version: api.LatestVersion()}
	restricted := api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}
	check := func(lv api.LevelVersion, p *corev1.PodTemplateSpec) policy.AggregateCheckResult {
		return policy.AggregateCheckResults(eval.EvaluatePod(lv, &p.ObjectMeta, &p.Spec))
	}

	pods := goldenPods(t)
	var epp, sidecars int
	// seen lists, per gap, where it shows.
	seen := map[string]map[string][]string{}
	gap := func(who, where string, r policy.AggregateCheckResult) {
		for i, reason := range r.ForbiddenReasons {
			if _, ok := restrictedGaps[who][reason]; !ok {
				t.Errorf("%s: %s fails the restricted check %q (%s), which is not a known gap", where, who, reason, r.ForbiddenDetails[i])
				continue
			}
			if seen[who] == nil {
				seen[who] = map[string][]string{}
			}
			seen[who][reason] = append(seen[who][reason], where+" ("+r.ForbiddenDetails[i]+")")
		}
	}
	// covered counts, per container name, the model-server pods of the
	// restricted goldens it runs in.
	covered := map[string]int{}
	ipcLock := map[string]int{}
	for _, p := range pods {
		if ipcLockGoldens[p.golden] {
			ipcLock[p.golden] += dropIPCLock(&p.meta.Spec)
		}
		if r := check(baseline, &p.meta); !r.Allowed {
			t.Errorf("%s: not allowed by the baseline policy: %s", p.where, r.ForbiddenDetail())
		}

		if restrictedGoldens[p.golden] {
			if r := check(restricted, &p.meta); !r.Allowed {
				t.Errorf("%s: runs as a non-root user but is not allowed by the restricted policy: %s", p.where, r.ForbiddenDetail())
			}
			if p.meta.Labels[labelComponent] != componentScheduler {
				for _, c := range append(p.meta.Spec.InitContainers, p.meta.Spec.Containers...) {
					covered[c.Name]++
				}
			}
			continue
		}

		if p.meta.Labels[labelComponent] == componentScheduler {
			// The endpoint picker is llm-d's own image, which runs as a
			// numeric non-root user: nothing keeps it from restricted.
			epp++
			if r := check(restricted, &p.meta); !r.Allowed {
				t.Errorf("%s: the endpoint picker is not allowed by the restricted policy: %s", p.where, r.ForbiddenDetail())
			}
			continue
		}

		// The sidecars the function adds to model-server pods run images
		// it chooses and know nothing of the model server's needs: each
		// is checked on its own, in its pod's context.
		for _, c := range p.meta.Spec.InitContainers {
			if _, ok := restrictedGaps[c.Name]; !ok {
				continue
			}
			sidecars++
			alone := p.meta.DeepCopy()
			alone.Spec.InitContainers = []corev1.Container{c}
			alone.Spec.Containers = nil
			gap(c.Name, p.where, check(restricted, alone))
		}
		gap("pod", p.where, check(restricted, &p.meta))
	}

	for _, c := range []string{"main", modelcar, storageInitializer, routingSidecar} {
		if covered[c] == 0 {
			t.Errorf("no model-server pod of the restricted goldens %v runs %s: nothing shows it can run restricted", sortedKeys(restrictedGoldens), c)
		}
	}
	for _, g := range sortedKeys(ipcLockGoldens) {
		if ipcLock[g] == 0 {
			t.Errorf("no pod of golden %s adds IPC_LOCK: remove it from ipcLockGoldens", g)
		}
	}
	if epp == 0 || sidecars == 0 {
		t.Errorf("the goldens hold %d endpoint picker pods and %d sidecars: the restricted checks ran on nothing", epp, sidecars)
	}
	for _, who := range sortedKeys(restrictedGaps) {
		for _, reason := range sortedKeys(restrictedGaps[who]) {
			why := restrictedGaps[who][reason]
			if len(seen[who][reason]) == 0 {
				t.Errorf("no %s fails %q (%s) any more: remove the gap", who, reason, why)
				continue
			}
			t.Logf("restricted: %s fails %q (%s) in:\n  %s", who, reason, why, strings.Join(seen[who][reason], "\n  "))
		}
	}
}

// dropIPCLock removes IPC_LOCK from the capabilities every container of
// pod adds, and counts the containers that added it.
func dropIPCLock(pod *corev1.PodSpec) int {
	n := 0
	for _, cs := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for i := range cs {
			sc := cs[i].SecurityContext
			if sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Add, "IPC_LOCK") {
				continue
			}
			sc.Capabilities.Add = slices.DeleteFunc(sc.Capabilities.Add, func(c corev1.Capability) bool { return c == "IPC_LOCK" })
			n++
		}
	}
	return n
}

// goldenPods reads every pod template of every golden. Kinds it knows hold
// pods at known places; any other composed kind holding containers fails
// the test, so a new workload kind cannot slip past the checks.
func goldenPods(t *testing.T) []pod {
	t.Helper()
	files := composedFiles(t)
	var out []pod
	for _, cf := range files {
		golden, f := cf.golden, cf.path
		for _, doc := range documents(t, f) {
			kind, _ := doc["kind"].(string)
			md, _ := doc["metadata"].(map[string]any)
			name, _ := md["name"].(string)
			var templates map[string][]string
			switch kind {
			case "Deployment":
				templates = map[string][]string{"template": {"spec", "template"}}
			case "LeaderWorkerSet":
				templates = map[string][]string{
					"leader": {"spec", "leaderWorkerTemplate", "leaderTemplate"},
					"worker": {"spec", "leaderWorkerTemplate", "workerTemplate"},
				}
			default:
				if hasKey(doc, "containers") {
					t.Errorf("%s: %s %s holds containers this test does not know where to find", golden, kind, name)
				}
				continue
			}
			for _, which := range sortedKeys(templates) {
				m, ok := nested(doc, templates[which]...)
				if !ok {
					t.Errorf("%s: %s %s has no %s", golden, kind, name, strings.Join(templates[which], "."))
					continue
				}
				var p corev1.PodTemplateSpec
				// Strict: a field the typed pod does not have would go
				// unchecked.
				if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(m, &p, true); err != nil {
					t.Errorf("%s: %s %s %s: %v", golden, kind, name, which, err)
					continue
				}
				out = append(out, pod{where: fmt.Sprintf("%s: %s %s %s", golden, kind, name, which), golden: golden, meta: p})
			}
		}
	}
	return out
}

// goldenDir holds the render goldens: a directory per case (an example,
// rendered with or without what lies beside it), a file per composed object.
var goldenDir = filepath.Join("..", "render", "testdata", "golden")

// Files of a golden that are not composed objects: the XR with its status,
// the function's results, and the message of a render it refused.
var notComposed = map[string]bool{"xr.yaml": true, "results.yaml": true, "fatal.txt": true}

// A composedFile is the golden file of one composed object.
type composedFile struct {
	// golden is the case: its directory under goldenDir.
	golden string
	path   string
}

// composedFiles lists the composed objects of every golden, in order.
func composedFiles(t *testing.T) []composedFile {
	t.Helper()
	var out []composedFile
	cases := map[string]bool{}
	err := filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(goldenDir, filepath.Dir(path))
		if err != nil {
			return err
		}
		cases[rel] = true
		if notComposed[d.Name()] {
			return nil
		}
		if filepath.Ext(path) != ".yaml" {
			return fmt.Errorf("%s is not a file of a golden", path)
		}
		out = append(out, composedFile{golden: filepath.ToSlash(rel), path: path})
		return nil
	})
	if err != nil {
		t.Fatalf("cannot read the render goldens: %v", err)
	}
	if len(out) == 0 {
		t.Fatalf("no composed objects in the render goldens in %s", goldenDir)
	}
	for g := range restrictedGoldens {
		if !cases[g] {
			t.Errorf("no render golden %s in %s", g, goldenDir)
		}
	}
	return out
}

// documents reads the objects of a YAML stream.
func documents(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path) //nolint:gosec // test data.
	if err != nil {
		t.Fatal(err)
	}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var out []map[string]any
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if m != nil {
			out = append(out, m)
		}
	}
}

func nested(m map[string]any, path ...string) (map[string]any, bool) {
	for _, k := range path {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m, true
}

func hasKey(v any, key string) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if k == key || hasKey(e, key) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(t, func(e any) bool { return hasKey(e, key) })
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
