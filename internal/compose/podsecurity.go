package compose

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// capIPCLock is the capability RDMA needs to pin the memory it registers
// with the NIC; the Function input may allow it (podSecurity.ipcLock).
const capIPCLock corev1.Capability = "IPC_LOCK"

// A podCheck is one check of the Pod Security admission controller, at the
// latest version of the standard, as its own evaluator would run it.
type podCheck struct {
	id    policy.CheckID
	level api.Level
	fn    policy.CheckPodFn
}

// podChecks are the checks of each level, computed once: the baseline
// checks for baseline; for restricted every check, less the baseline ones a
// restricted check replaces (OverrideCheckIDs), as policy.NewEvaluator
// orders and overrides them. The function runs them one by one, rather
// than through the evaluator, to know which check a pod breaks and so
// which field to name.
var podChecks = sync.OnceValue(func() map[api.Level][]podCheck {
	all := policy.DefaultChecks()
	overridden := map[policy.CheckID]bool{}
	latest := make([]policy.VersionedCheck, len(all))
	for i, c := range all {
		latest[i] = c.Versions[len(c.Versions)-1]
		if c.Level == api.LevelRestricted {
			for _, id := range latest[i].OverrideCheckIDs {
				overridden[id] = true
			}
		}
	}
	out := map[api.Level][]podCheck{}
	for i, c := range all {
		pc := podCheck{id: c.ID, level: c.Level, fn: latest[i].CheckPod}
		if c.Level == api.LevelBaseline {
			out[api.LevelBaseline] = append(out[api.LevelBaseline], pc)
			if overridden[c.ID] {
				continue
			}
		}
		out[api.LevelRestricted] = append(out[api.LevelRestricted], pc)
	}
	for _, cs := range out {
		slices.SortFunc(cs, func(a, b podCheck) int {
			return strings.Compare(string(a.id), string(b.id))
		})
	}
	return out
})

// checkPodSecurity refuses a pod template that breaks the Pod Security
// profile the Function input names (baseline by default). A namespace
// that enforces the profile accepts the workload but refuses every pod it
// makes, which shows only in the ReplicaSet's events; here it is a message
// naming the field and the check. p is where the template is written in
// the spec: the fields a user may set there are the ones that break a
// check, the function's own pods passing restricted.
func (b *builder) checkPodSecurity(t *corev1.PodTemplateSpec, p *field.Path) field.ErrorList {
	level := api.Level(b.cfg.PodSecurityLevel)
	checks := podChecks()[level]
	if len(checks) == 0 {
		return nil // privileged: nothing to check.
	}
	pod := t.Spec.DeepCopy()
	if b.cfg.AllowIPCLock {
		dropCapability(pod, capIPCLock)
	}
	var errs field.ErrorList
	for _, c := range checks {
		r := c.fn(&t.ObjectMeta, pod)
		if r.Allowed {
			continue
		}
		for _, v := range attribute(c, &t.ObjectMeta, pod, p) {
			errs = append(errs, field.Forbidden(v.path, fmt.Sprintf("the Pod Security %s profile forbids it (check %s: %s): %s",
				level, c.id, describeResult(v.result), b.podSecurityFix(c, &t.ObjectMeta, pod))))
		}
	}
	return errs
}

// describeResult is a check's reason, with its detail when it has one.
func describeResult(r policy.CheckResult) string {
	if r.ForbiddenDetail == "" {
		return r.ForbiddenReason
	}
	return r.ForbiddenReason + ", " + r.ForbiddenDetail
}

// podSecurityFix says how to make the pod pass: change the template, or
// have the platform allow what it asks for in the Function input.
func (b *builder) podSecurityFix(c podCheck, meta *metav1.ObjectMeta, pod *corev1.PodSpec) string {
	if !b.cfg.AllowIPCLock && (c.id == "capabilities_baseline" || c.id == "capabilities_restricted") {
		without := pod.DeepCopy()
		dropCapability(without, capIPCLock)
		if c.fn(meta, without).Allowed {
			return fmt.Sprintf("remove %s from the template, or, on a platform whose namespaces allow RDMA's %s, set podSecurity.ipcLock: %s in the Composition's Function input",
				capIPCLock, capIPCLock, v1beta1.Enabled)
		}
	}
	// A restricted check broken: the pod meets baseline as far as this
	// check goes.
	allow := v1beta1.PodSecurityPrivileged
	if c.level == api.LevelRestricted && api.Level(b.cfg.PodSecurityLevel) == api.LevelRestricted {
		allow = v1beta1.PodSecurityBaseline
	}
	fix := fmt.Sprintf("change the template, or, on a platform whose namespaces allow it, set podSecurity.level: %s in the Composition's Function input", allow)
	if c.id == "runAsNonRoot" || c.id == "runAsUser" {
		fix += "; modelServer.runAsUser in the Function input runs the model-server pods as a non-root user"
	}
	return fix
}

// A violation is one field that breaks a check, with the check's result
// for it alone.
type violation struct {
	path   *field.Path
	result policy.CheckResult
}

// attribute finds the fields of pod that break check c: the pod's own
// (host namespaces, volumes, its security context) on the pod without
// containers, then each container's on the pod with that container alone.
// A check the pod breaks that neither shows is named at the template.
func attribute(c podCheck, meta *metav1.ObjectMeta, pod *corev1.PodSpec, p *field.Path) []violation {
	bare := pod.DeepCopy()
	bare.InitContainers, bare.Containers, bare.EphemeralContainers = nil, nil, nil
	if r := c.fn(meta, bare); !r.Allowed {
		return podViolations(c, meta, bare, r, p)
	}
	var out []violation
	for _, list := range []struct {
		name       string
		containers []corev1.Container
	}{{"initContainers", pod.InitContainers}, {"containers", pod.Containers}} {
		for _, ct := range list.containers {
			alone := bare.DeepCopy()
			if list.name == "initContainers" {
				alone.InitContainers = []corev1.Container{ct}
			} else {
				alone.Containers = []corev1.Container{ct}
			}
			if r := c.fn(meta, alone); !r.Allowed {
				out = append(out, violation{path: child(p.Child(list.name).Key(ct.Name), containerFields[c.id]), result: r})
			}
		}
	}
	if len(out) == 0 {
		out = append(out, violation{path: p, result: c.fn(meta, pod)})
	}
	return out
}

// podViolations names the pod-level fields that break check c: each host
// namespace it shares, each volume a volume check refuses, else the field
// of the pod's security context the check reads.
func podViolations(c podCheck, meta *metav1.ObjectMeta, bare *corev1.PodSpec, r policy.CheckResult, p *field.Path) []violation {
	var out []violation
	switch c.id {
	case "hostNamespaces":
		for _, ns := range []struct {
			name string
			on   bool
		}{{"hostNetwork", bare.HostNetwork}, {"hostPID", bare.HostPID}, {"hostIPC", bare.HostIPC}} {
			if ns.on {
				out = append(out, violation{path: p.Child(ns.name), result: r})
			}
		}
	case "hostPathVolumes", "restrictedVolumes":
		for _, v := range bare.Volumes {
			one := bare.DeepCopy()
			one.Volumes = []corev1.Volume{v}
			if rv := c.fn(meta, one); !rv.Allowed {
				out = append(out, violation{path: p.Child("volumes").Key(v.Name), result: rv})
			}
		}
	default:
		if f, ok := containerFields[c.id]; ok && len(f) > 0 && f[0] == "securityContext" {
			out = append(out, violation{path: child(p, f), result: r})
		}
	}
	if len(out) == 0 {
		out = append(out, violation{path: p, result: r})
	}
	return out
}

// containerFields are, per check, the field of a container's (or, for
// those under securityContext, the pod's) that it reads. A check not here
// is named at the container.
var containerFields = map[policy.CheckID][]string{
	"allowPrivilegeEscalation":  {"securityContext", "allowPrivilegeEscalation"},
	"appArmorProfile":           {"securityContext", "appArmorProfile"},
	"capabilities_baseline":     {"securityContext", "capabilities", "add"},
	"capabilities_restricted":   {"securityContext", "capabilities"},
	"hostPorts":                 {"ports"},
	"privileged":                {"securityContext", "privileged"},
	"procMount":                 {"securityContext", "procMount"},
	"procMount_restricted":      {"securityContext", "procMount"},
	"runAsNonRoot":              {"securityContext", "runAsNonRoot"},
	"runAsUser":                 {"securityContext", "runAsUser"},
	"seLinuxOptions":            {"securityContext", "seLinuxOptions"},
	"seccompProfile_baseline":   {"securityContext", "seccompProfile"},
	"seccompProfile_restricted": {"securityContext", "seccompProfile"},
	"sysctls":                   {"securityContext", "sysctls"},
	"windowsHostProcess":        {"securityContext", "windowsOptions", "hostProcess"},
}

func child(p *field.Path, names []string) *field.Path {
	for _, n := range names {
		p = p.Child(n)
	}
	return p
}

// dropCapability removes an added capability from every container, so the
// checks see the pod as if it did not ask for it.
func dropCapability(pod *corev1.PodSpec, capability corev1.Capability) {
	for _, list := range [][]corev1.Container{pod.InitContainers, pod.Containers} {
		for i := range list {
			sc := list[i].SecurityContext
			if sc == nil || sc.Capabilities == nil {
				continue
			}
			sc.Capabilities.Add = slices.DeleteFunc(slices.Clone(sc.Capabilities.Add), func(c corev1.Capability) bool { return c == capability })
		}
	}
}
