package compose

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/spec"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Volumes model storage adds to a pod. A user's init container named
// storage-initializer customises the download (image, env, resources): the
// function owns only its args and mounts, as KServe does.
const (
	volumeModel  = "model-store"
	volumeLoRA   = "lora-store"
	volumeModelP = "model-pvc"
	volumeModelI = "model-image"
)

// attachModel mounts the model and LoRA adapters read-only into the main
// container of pod, adding whatever fetches them. Credentials are passed
// only by reference: Secret key refs, or the pod's service account.
func (b *builder) attachModel(pod *corev1.PodSpec, p *field.Path) field.ErrorList {
	return b.attachModelFiles(pod, p, true)
}

// attachModelFiles is attachModel, with the LoRA adapters when lora: the
// tokenizer needs the base model's tokenizer only.
func (b *builder) attachModelFiles(pod *corev1.PodSpec, p *field.Path, lora bool) field.ErrorList {
	if si := b.svc.Spec.StorageInitializer; si != nil && si.Enabled != nil && !*si.Enabled {
		// The user brings the model (their own init container or volume).
		return nil
	}
	main := wiring.Container(pod, wiring.MainContainer)
	if main == nil {
		return field.ErrorList{field.InternalError(p.Child("containers"), errNoMainContainer)}
	}
	// spec.Validate has checked every URI: an error here is the
	// function's.
	model, err := spec.ParseSource(b.svc.Spec.Model.URI)
	if err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec", "model", "uri"), err)}
	}

	dl := &downloads{schemes: map[spec.Scheme]bool{}}
	switch model.Scheme {
	case spec.SchemeHF, spec.SchemeS3:
		dl.add(pod, main, volumeModel, modelPath, model, modelPath)
	case spec.SchemePVC:
		addVolume(pod, pvcVolume(volumeModelP, model.Claim))
		addMount(main, corev1.VolumeMount{Name: volumeModelP, MountPath: modelPath, SubPath: model.Path, ReadOnly: true})
	case spec.SchemeOCI:
		b.attachOCI(pod, main, model.Image)
	}

	if l := b.svc.Spec.Model.LoRA; l != nil && lora {
		for _, a := range l.Adapters {
			src, err := spec.ParseSource(a.URI)
			if err != nil {
				return field.ErrorList{field.InternalError(field.NewPath("spec", "model", "lora", "adapters").Key(a.Name).Child("uri"), err)}
			}
			dest := loraPath + "/" + a.Name
			switch src.Scheme {
			case spec.SchemeHF, spec.SchemeS3:
				dl.add(pod, main, volumeLoRA, loraPath, src, dest)
			case spec.SchemePVC:
				v := names.Child("lora-pvc", src.Claim)
				addVolume(pod, pvcVolume(v, src.Claim))
				addMount(main, corev1.VolumeMount{Name: v, MountPath: dest, SubPath: src.Path, ReadOnly: true})
			default:
				return field.ErrorList{field.InternalError(field.NewPath("spec", "model", "lora", "adapters").Key(a.Name).Child("uri"), fmt.Errorf("no adapter from %s", src.Scheme))}
			}
		}
	}
	if len(dl.args) > 0 {
		b.addStorageInitializer(pod, dl.args, dl.schemes)
	}
	if model.Scheme == spec.SchemeHF || model.Scheme == spec.SchemeS3 {
		b.addConfidential(pod)
	}
	return nil
}

// downloads are what one storage-initializer run fetches: <uri> <dest>
// pairs, and the schemes they use, which decide its credentials.
type downloads struct {
	args    []string
	schemes map[spec.Scheme]bool
}

// add fetches src into dest, inside the emptyDir volume that main mounts
// read-only at mountAt.
func (d *downloads) add(pod *corev1.PodSpec, main *corev1.Container, volume, mountAt string, src spec.Source, dest string) {
	addVolume(pod, emptyDir(volume))
	addMount(main, corev1.VolumeMount{Name: volume, MountPath: mountAt, ReadOnly: true})
	d.args = append(d.args, src.URI, dest)
	d.schemes[src.Scheme] = true
}

// addStorageInitializer adds (or completes the user's) download init
// container. It writes into the same emptyDirs the main container mounts
// read-only.
func (b *builder) addStorageInitializer(pod *corev1.PodSpec, downloads []string, schemes map[spec.Scheme]bool) {
	c := initContainer(pod, wiring.StorageInitializer)
	if c == nil {
		pod.InitContainers = append([]corev1.Container{{Name: wiring.StorageInitializer}}, pod.InitContainers...)
		c = &pod.InitContainers[0]
	}
	if c.Image == "" {
		c.Image = b.cfg.StorageInitializerImage
	}
	c.Command = nil
	c.Args = downloads
	if len(c.Resources.Limits) == 0 && len(c.Resources.Requests) == 0 {
		c.Resources = *b.cfg.StorageInitializerResources.DeepCopy()
	}
	if c.SecurityContext == nil {
		c.SecurityContext = hardened()
	}
	if schemes[spec.SchemeHF] && b.cfg.HFToken != nil {
		setEnv(c, corev1.EnvVar{Name: "HF_TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: b.cfg.HFToken.DeepCopy()}})
	}
	if schemes[spec.SchemeS3] && b.cfg.S3Credentials != nil {
		ref := corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: *b.cfg.S3Credentials}}
		c.EnvFrom = append(c.EnvFrom, ref)
	}
	for _, v := range sortedVolumes(downloads) {
		addMount(c, v)
	}
}

// sortedVolumes are the RW mounts the initializer needs for its
// destinations.
func sortedVolumes(downloads []string) []corev1.VolumeMount {
	need := map[string]corev1.VolumeMount{}
	for i := 1; i < len(downloads); i += 2 {
		if downloads[i] == modelPath {
			need[modelPath] = corev1.VolumeMount{Name: volumeModel, MountPath: modelPath}
		} else {
			need[loraPath] = corev1.VolumeMount{Name: volumeLoRA, MountPath: loraPath}
		}
	}
	out := make([]corev1.VolumeMount, 0, len(need))
	for _, m := range need {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MountPath < out[j].MountPath })
	return out
}

// attachOCI mounts a model packaged as an OCI image.
func (b *builder) attachOCI(pod *corev1.PodSpec, main *corev1.Container, image string) {
	if b.cfg.OCI == v1beta1.OCIImageVolume {
		// Kubernetes image volumes: the kubelet pulls and mounts the image
		// read-only; no extra container.
		addVolume(pod, corev1.Volume{Name: volumeModelI, VolumeSource: corev1.VolumeSource{Image: &corev1.ImageVolumeSource{
			Reference: image, PullPolicy: corev1.PullIfNotPresent,
		}}})
		addMount(main, corev1.VolumeMount{Name: volumeModelI, MountPath: modelPath, ReadOnly: true})
		return
	}
	// Modelcar: the model image runs as a native sidecar that links its
	// /models into a shared emptyDir through /proc, so the pod shares one
	// process namespace. Unlike KServe's plain sidecar, a restartable init
	// container with a startup probe makes vLLM start only once the link
	// exists.
	addVolume(pod, emptyDir(volumeModel))
	pod.ShareProcessNamespace = ptr.To(true)
	// Kubernetes reduces $$ to $ in commands, so $$$$ reaches the shell as
	// $$, the sidecar's own PID.
	link := fmt.Sprintf("ln -sfn /proc/$$$$/root/models %s && exec sleep infinity", modelPath)
	always := corev1.ContainerRestartPolicyAlways
	pod.InitContainers = append(pod.InitContainers, corev1.Container{
		Name:          wiring.Modelcar,
		Image:         image,
		Command:       []string{"sh", "-c", link},
		RestartPolicy: &always,
		VolumeMounts:  []corev1.VolumeMount{{Name: volumeModel, MountPath: "/mnt"}},
		StartupProbe: &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"test", "-e", modelPath}}},
			PeriodSeconds:    1,
			FailureThreshold: 600,
		},
		// The sidecar only sleeps; the model's bytes are read by vLLM.
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi"),
		}},
		SecurityContext: sameUser(hardened(), main.SecurityContext),
	})
	addMount(main, corev1.VolumeMount{Name: volumeModel, MountPath: "/mnt", ReadOnly: true})
}

// sameUser makes sc run as the user and group of the container whose
// security context is of, where that container sets its own rather than
// the pod's. vLLM reads the modelcar's files through /proc/<pid>/root: with
// every capability dropped, the kernel allows that only between processes
// of the same user and group.
func sameUser(sc, of *corev1.SecurityContext) *corev1.SecurityContext {
	if of == nil {
		return sc
	}
	if of.RunAsUser != nil {
		sc.RunAsUser = ptr.To(*of.RunAsUser)
	}
	if of.RunAsGroup != nil {
		sc.RunAsGroup = ptr.To(*of.RunAsGroup)
	}
	if of.RunAsNonRoot != nil {
		sc.RunAsNonRoot = ptr.To(*of.RunAsNonRoot)
	}
	return sc
}

func emptyDir(name string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
}

func pvcVolume(name, claim string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
		ClaimName: claim, ReadOnly: true,
	}}}
}
