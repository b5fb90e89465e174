package diagnose

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// maxExcerpt bounds the part of a termination message a condition quotes:
// its last line, where Python puts the exception and argparse its error.
const maxExcerpt = 300

// pullFailures are the kubelet's waiting reasons of a container whose
// image cannot be had.
var pullFailures = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true, "ErrImageNeverPull": true,
}

// killedBySignal are the exit codes of a container stopped by SIGKILL or
// SIGTERM: what the kubelet sends a container whose startup probe gives up.
var killedBySignal = map[int32]bool{137: true, 143: true}

// unschedulable says why the scheduler places pod p nowhere, and what the
// pod asks for.
func (ctx Context) unschedulable(p *corev1.Pod, msg string) finding {
	template := ctx.template(p)
	var fixes []string
	switch {
	case strings.Contains(msg, "Insufficient "+string(ctx.GPUResource)):
		fixes = append(fixes, "no node has that many free "+string(ctx.GPUResource)+
			": free GPUs or add nodes, or hold fewer per pod (spec.parallelism sets how many each pod holds)")
	case strings.Contains(msg, "Insufficient "):
		fixes = append(fixes, "no node has that much free capacity: lower the requests in "+template+".containers[main].resources, or add nodes")
	}
	if strings.Contains(msg, "node affinity/selector") || strings.Contains(msg, "node(s) didn't match") {
		fixes = append(fixes, "no node carries the labels the pod selects: correct "+template+".nodeSelector or "+template+
			".affinity (or the accelerator the Function input selects), or label the nodes that have the GPUs")
	}
	if strings.Contains(msg, "untolerated taint") && len(fixes) == 0 {
		// Beside another cause, tainted nodes are most often the
		// control plane's: the other cause is the one to fix.
		fixes = append(fixes, "the nodes are tainted: add the tolerations for their taints to "+template+".tolerations")
	}
	if strings.Contains(msg, "PersistentVolumeClaim") {
		fixes = append(fixes, "a PersistentVolumeClaim the pod mounts is missing or not bound: create it, or correct spec.model.uri")
	}
	if len(fixes) == 0 {
		fixes = append(fixes, "add or free nodes that fit it")
	}
	return finding{
		reason:  ReasonUnschedulable,
		message: "cannot be scheduled: " + Redact(msg) + " (it asks for " + ctx.asks(p) + "): " + strings.Join(fixes, "; "),
	}
}

// asks is what a pod needs of a node: the requests of its containers and
// sidecars (GPUs first) and its node selector.
func (ctx Context) asks(p *corev1.Pod) string {
	total := corev1.ResourceList{}
	add := func(c corev1.Container) {
		for name, q := range c.Resources.Requests {
			sum := total[name]
			sum.Add(q)
			total[name] = sum
		}
		for name, q := range c.Resources.Limits {
			// An extended resource is requested as much as it is limited.
			if _, ok := c.Resources.Requests[name]; !ok && name == ctx.GPUResource {
				sum := total[name]
				sum.Add(q)
				total[name] = sum
			}
		}
	}
	for _, c := range p.Spec.InitContainers {
		if ptr.Deref(c.RestartPolicy, "") == corev1.ContainerRestartPolicyAlways {
			add(c)
		}
	}
	for _, c := range p.Spec.Containers {
		add(c)
	}
	names := slices.SortedFunc(maps.Keys(total), func(a, b corev1.ResourceName) int {
		switch {
		case a == ctx.GPUResource:
			return -1
		case b == ctx.GPUResource:
			return 1
		}
		return strings.Compare(string(a), string(b))
	})
	parts := make([]string, 0, len(names)+1)
	for _, n := range names {
		q := total[n]
		parts = append(parts, q.String()+" "+string(n))
	}
	if len(p.Spec.NodeSelector) > 0 {
		var sel []string
		for _, k := range slices.Sorted(maps.Keys(p.Spec.NodeSelector)) {
			sel = append(sel, k+"="+p.Spec.NodeSelector[k])
		}
		parts = append(parts, "nodes labelled "+strings.Join(sel, ","))
	}
	if len(parts) == 0 {
		return "no resources"
	}
	return strings.Join(parts, ", ")
}

// pullOrOOM is what every container, init or not, is checked for first: an
// image that cannot be pulled, or an OOM kill (ok, with the finding).
// Otherwise t is its last failed termination for the caller's own causes,
// nil when it has not failed.
func pullOrOOM(c corev1.Container, s corev1.ContainerStatus, field, template string) (f finding, t *corev1.ContainerStateTerminated, ok bool) {
	if w := s.State.Waiting; w != nil && pullFailures[w.Reason] {
		return imagePull(c, w, field, template), nil, true
	}
	if t = failed(s); t != nil && t.Reason == "OOMKilled" {
		return oomKilled(c, field), t, true
	}
	return finding{}, t, false
}

// initContainer diagnoses an init container: the storage initializer and
// the modelcar, or one of the user's.
func (ctx Context) initContainer(p *corev1.Pod, c corev1.Container, s corev1.ContainerStatus, template string) (finding, bool) {
	field := template + ".initContainers[" + c.Name + "]"
	f, t, ok := pullOrOOM(c, s, field, template)
	if ok || t == nil {
		return f, ok
	}
	out := Redact(t.Message)
	fix := ctx.fix(c, out, template)
	if fix == "" {
		fix = "read its output with kubectl logs -n " + p.Namespace + " " + p.Name + " -c " + c.Name + " --previous"
		if c.Name == wiring.StorageInitializer {
			fix += ", and check spec.model.uri and the credentials the download uses"
		}
	}
	return finding{
		reason:  ReasonInitContainerFailed,
		message: "init container " + c.Name + " " + exited(t, s) + excerpt(out) + ": " + fix,
	}, true
}

// container diagnoses one of the pod's containers: vLLM, the picker, a
// sidecar.
func (ctx Context) container(c corev1.Container, s corev1.ContainerStatus, template string) (finding, bool) {
	field := template + ".containers[" + c.Name + "]"
	f, t, ok := pullOrOOM(c, s, field, template)
	if ok || t == nil {
		return f, ok
	}
	out := Redact(t.Message)
	if c.StartupProbe != nil && !ptr.Deref(s.Started, false) && killedBySignal[t.ExitCode] {
		pr := c.StartupProbe
		window := pr.InitialDelaySeconds + max(pr.FailureThreshold, 1)*max(pr.PeriodSeconds, 1)
		if pr.FailureThreshold == 0 {
			window = pr.InitialDelaySeconds + 3*max(pr.PeriodSeconds, 10) // The API's defaults.
		}
		return finding{
			reason: ReasonStartupProbeFailed,
			message: fmt.Sprintf("container %s was stopped (exit code %d) after its startup probe failed for %ds%s: if loading the model takes longer, raise %s.startupProbe.failureThreshold",
				c.Name, t.ExitCode, window, excerpt(out), field),
		}, true
	}
	fix := ctx.fix(c, out, template)
	if fix == "" {
		fix = "its output above, or kubectl logs --previous -c " + c.Name + ", says why"
	}
	return finding{
		reason:  ReasonCrashLoopBackOff,
		message: "container " + c.Name + " " + exited(t, s) + excerpt(out) + ": " + fix,
	}, true
}

// failed is the termination of a container that failed: its current
// state, or the last one while it waits to restart. Nil when it has not
// failed.
func failed(s corev1.ContainerStatus) *corev1.ContainerStateTerminated {
	if t := s.State.Terminated; t != nil && t.ExitCode != 0 {
		return t
	}
	if s.State.Running != nil && ptr.Deref(s.Started, true) {
		// Restarted and running again: the last failure is history.
		return nil
	}
	if t := s.LastTerminationState.Terminated; t != nil && (t.ExitCode != 0 || t.Reason == "OOMKilled") {
		return t
	}
	return nil
}

// exited says how a container ended.
func exited(t *corev1.ContainerStateTerminated, s corev1.ContainerStatus) string {
	out := fmt.Sprintf("exited with code %d", t.ExitCode)
	if t.Signal != 0 {
		out = fmt.Sprintf("was killed by signal %d", t.Signal)
	}
	if s.RestartCount > 0 {
		out += fmt.Sprintf(" (restarted %d times)", s.RestartCount)
	}
	if w := s.State.Waiting; w != nil && w.Reason == ReasonCrashLoopBackOff {
		out += " and is in CrashLoopBackOff"
	}
	return out
}

// errorLine is a line that says what went wrong, as Python's exceptions
// and argparse's errors do.
var errorLine = regexp.MustCompile(`(?i)error|exception|denied|refused|failed`)

// excerpt is the line of a termination message, redacted already, that
// says what went wrong: the last that reads like an error, else the last.
// It is quoted after a colon.
func excerpt(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); errorLine.MatchString(l) {
			last = l
			break
		}
	}
	if last == "" {
		return ""
	}
	if len(last) > maxExcerpt {
		last = last[:maxExcerpt] + "..."
	}
	return ": " + last
}

func imagePull(c corev1.Container, w *corev1.ContainerStateWaiting, field, template string) finding {
	msg := "container " + c.Name + " cannot pull image " + c.Image
	if w.Message != "" {
		msg += ": " + Redact(w.Message)
	}
	return finding{
		reason: ReasonImagePullFailed,
		message: msg + ": correct the image in " + field + ".image (or the Function input's image for it), and for a private registry " +
			"give the pod its pull Secret in " + template + ".imagePullSecrets",
	}
}

func oomKilled(c corev1.Container, field string) finding {
	limit := "its memory limit"
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		limit = "its memory limit of " + q.String()
	}
	return finding{
		reason:  ReasonOOMKilled,
		message: "container " + c.Name + " was killed for using more memory than " + limit + ": raise " + field + ".resources.limits.memory",
	}
}

// Hugging Face, S3 and vLLM errors the fixes recognise.
var (
	fromHF         = regexp.MustCompile(`(?i)huggingface|hf\.co\b|HfHubHTTPError|RepositoryNotFoundError|GatedRepoError`)
	hfUnauthorized = regexp.MustCompile(`(?i)\b401\b|Unauthorized|RepositoryNotFoundError|Invalid (user )?token|Invalid credentials`)
	hfForbidden    = regexp.MustCompile(`(?i)\b403\b|Forbidden|GatedRepoError|gated repo|restricted`)
	s3Refused      = regexp.MustCompile(`InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|NoSuchBucket|NoSuchKey`)
	unrecognized   = regexp.MustCompile(`unrecognized arguments?: (.+)`)
	badValue       = regexp.MustCompile(`(?:error: argument|ambiguous option:) (--[\w-]+)`)
	gpuMemory      = regexp.MustCompile(`(?i)CUDA out of memory|OutOfMemoryError|No available memory for the cache blocks|maximum number of tokens that can be stored in KV cache|larger than the maximum number of tokens`)
	noGPU          = regexp.MustCompile(`(?i)no CUDA GPUs are available|Failed to infer device type|found no NVIDIA driver`)
)

// fix is what to do about a container's output, when it says something
// the function knows the fix of; empty when it does not.
func (ctx Context) fix(c corev1.Container, out, template string) string {
	main := template + ".containers[main]"
	switch {
	case fromHF.MatchString(out) && hfUnauthorized.MatchString(out):
		if ctx.HFToken == nil {
			return "Hugging Face asks for a token (401): the model is private or gated, or does not exist: set the Function input's storage.hfTokenSecretRef " +
				"to a Secret key holding a token that may read it, or correct spec.model.uri"
		}
		return "Hugging Face refuses the token (401): the token in Secret " + ctx.HFToken.Name + " key " + ctx.HFToken.Key +
			" (the Function input's storage.hfTokenSecretRef) is invalid or expired, or the model does not exist: replace the token, or correct spec.model.uri"
	case fromHF.MatchString(out) && hfForbidden.MatchString(out):
		return "Hugging Face refuses the download (403): the model is gated, or the token may not read it: accept the model's terms on huggingface.co " +
			"with the account " + ctx.tokenOwner() + ", or use a token with read access to it"
	case s3Refused.MatchString(out):
		return "the S3 download is refused: check the Secret the Function input's storage.s3CredentialsSecretRef names, and spec.model.uri"
	case c.Name != wiring.MainContainer:
		return ""
	}
	if m := unrecognized.FindStringSubmatch(out); m != nil {
		return ctx.flagFix(c, strings.Fields(m[1]), "vLLM does not know", "remove it, or run a vLLM image that has it", main)
	}
	if m := badValue.FindStringSubmatch(out); m != nil {
		return ctx.flagFix(c, []string{m[1]}, "vLLM refuses", "correct its value", main)
	}
	switch {
	case gpuMemory.MatchString(out):
		return "the model and its KV cache do not fit in the GPUs' memory: lower --max-model-len or raise --gpu-memory-utilization in " + main +
			".args, or spread the model over more GPUs (spec.parallelism.tensor)"
	case noGPU.MatchString(out):
		return "vLLM finds no GPU: the container must hold " + string(ctx.GPUResource) + " in " + main + ".resources, on a node that has them"
	}
	return ""
}

// tokenOwner names the account whose token the download uses.
func (ctx Context) tokenOwner() string {
	if ctx.HFToken == nil {
		return "whose token you then set in the Function input's storage.hfTokenSecretRef"
	}
	return "of the token in Secret " + ctx.HFToken.Name + " key " + ctx.HFToken.Key + " (the Function input's storage.hfTokenSecretRef)"
}

// flagFix names where each flag vLLM refuses is written: in the spec, or
// by the function, whose flags an older vLLM may not know. One that is in
// neither came with the image or the command the pod runs.
func (ctx Context) flagFix(c corev1.Container, words []string, what, fix, main string) string {
	var parts []string
	for _, w := range words {
		if !strings.HasPrefix(w, "--") {
			continue
		}
		flag, _, _ := strings.Cut(w, "=")
		if f, ok := ctx.Pods.FlagFields[flag]; ok {
			parts = append(parts, what+" "+flag+", written in "+f+": "+fix)
			continue
		}
		if slices.ContainsFunc(append(slices.Clone(c.Command), c.Args...), func(a string) bool { return a == flag || strings.HasPrefix(a, flag+"=") }) {
			parts = append(parts, what+" "+flag+", which the function sets: the image's vLLM is older than the function expects; run a newer vLLM in "+main+".image")
			continue
		}
		parts = append(parts, what+" "+flag+", which neither the spec nor the function sets: it comes with the image "+c.Image+" or its entrypoint")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ")
}
