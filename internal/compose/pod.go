package compose

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// modelServerPod is what the function itself sets on a model-server pod,
// with vLLM listening on port: what must agree with the Service, the pool,
// the routing sidecar and the vLLM flags. Defaults (security context,
// volumes, probe timings, image, resources) come from the built-in presets
// and the Function input, merged over this with the spec (see
// internal/config).
func (b *builder) modelServerPod(port int32) corev1.PodSpec {
	return corev1.PodSpec{Containers: []corev1.Container{{
		Name:           wiring.MainContainer,
		Command:        slices.Clone(wiring.VLLMCommand),
		Ports:          []corev1.ContainerPort{{Name: vllmPortName, ContainerPort: port, Protocol: corev1.ProtocolTCP}},
		StartupProbe:   httpProbe("/health", port),
		LivenessProbe:  httpProbe("/health", port),
		ReadinessProbe: httpProbe("/v1/models", port),
	}}}
}

// httpProbe checks vLLM itself on port, never a sidecar in front of it: a
// probe on the sidecar's port passes while vLLM is down, or fails while it
// loads (llm-d-benchmark#1435).
func httpProbe(path string, port int32) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
		Path: path, Port: intstr.FromInt32(port), Scheme: corev1.URISchemeHTTP,
	}}}
}

// hardened is the container security context every composed container
// starts from: no privilege escalation, no capabilities.
func hardened() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// mergeTemplate merges the user's pod template (as written, so only the
// fields the user set take part) over base with Kubernetes strategic-merge
// semantics: containers, init containers, env and volumes by name, volume
// mounts by path, ports by number; scalars from the user. It returns the
// merged pod and the user's args for the main container, which are appended
// to the generated vLLM flags rather than replacing them. The template's
// shape (field names, types, merge keys) has been checked by then: by
// config on every layer and by spec.Validate on the merged spec.
func mergeTemplate(base corev1.PodSpec, user map[string]any, p *field.Path) (corev1.PodSpec, []string, field.ErrorList) {
	if user == nil {
		return base, nil, nil
	}
	user, userArgs := popMainArgs(user)
	baseJSON, err := json.Marshal(base)
	if err != nil {
		return corev1.PodSpec{}, nil, field.ErrorList{field.InternalError(p, err)}
	}
	userJSON, err := json.Marshal(user)
	if err != nil {
		return corev1.PodSpec{}, nil, field.ErrorList{field.InternalError(p, err)}
	}
	merged, err := strategicpatch.StrategicMergePatch(baseJSON, userJSON, corev1.PodSpec{})
	if err != nil {
		return corev1.PodSpec{}, nil, field.ErrorList{field.Invalid(p, "", fmt.Sprintf("cannot merge the template over the model-server defaults: %v", err))}
	}
	var out corev1.PodSpec
	if err := json.Unmarshal(merged, &out); err != nil {
		return corev1.PodSpec{}, nil, field.ErrorList{field.Invalid(p, "", fmt.Sprintf("cannot decode the merged template: %v", err))}
	}
	return out, userArgs, nil
}

// popMainArgs returns a copy of the user's template without the main
// container's args, and those args.
func popMainArgs(user map[string]any) (map[string]any, []string) {
	cs, ok := user["containers"].([]any)
	if !ok {
		return user, nil
	}
	out := make(map[string]any, len(user))
	for k, v := range user {
		out[k] = v
	}
	ncs := make([]any, len(cs))
	var args []string
	for i, c := range cs {
		ncs[i] = c
		m, ok := c.(map[string]any)
		if !ok || m["name"] != wiring.MainContainer {
			continue
		}
		nm := make(map[string]any, len(m))
		for k, v := range m {
			nm[k] = v
		}
		if a, ok := nm["args"].([]any); ok {
			for _, s := range a {
				args = append(args, fmt.Sprint(s))
			}
		}
		delete(nm, "args")
		ncs[i] = nm
	}
	out["containers"] = ncs
	return out, args
}

// initContainer returns the named init container of pod, or nil.
func initContainer(pod *corev1.PodSpec, name string) *corev1.Container {
	for i := range pod.InitContainers {
		if pod.InitContainers[i].Name == name {
			return &pod.InitContainers[i]
		}
	}
	return nil
}

// addVolume adds v unless pod has a volume of that name already (the user's
// wins).
func addVolume(pod *corev1.PodSpec, v corev1.Volume) {
	for _, e := range pod.Volumes {
		if e.Name == v.Name {
			return
		}
	}
	pod.Volumes = append(pod.Volumes, v)
}

// addMount adds m to c, replacing a mount at the same path.
func addMount(c *corev1.Container, m corev1.VolumeMount) {
	for i, e := range c.VolumeMounts {
		if e.MountPath == m.MountPath {
			c.VolumeMounts[i] = m
			return
		}
	}
	c.VolumeMounts = append(c.VolumeMounts, m)
}

// setEnv sets an env var on c unless the user set it already. It goes
// last, or before the first var whose value refers to it as $(NAME):
// Kubernetes expands a reference only to a var listed earlier, and a
// user's template may refer to what the function sets.
func setEnv(c *corev1.Container, e corev1.EnvVar) {
	ref := "$(" + e.Name + ")"
	at := len(c.Env)
	for i, x := range c.Env {
		if x.Name == e.Name {
			return
		}
		if at == len(c.Env) && strings.Contains(x.Value, ref) {
			at = i
		}
	}
	c.Env = slices.Insert(c.Env, at, e)
}
