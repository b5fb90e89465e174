package config

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// DefaultPodSecurityLevel is the profile composed pods must meet when the
// input names none: baseline, which Kubernetes documents as the profile
// for ordinary workloads, and what a namespace that enforces Pod Security
// usually enforces. Refusing privileged pods by default protects a
// platform that has not thought about it; one that runs them says so.
const DefaultPodSecurityLevel = v1beta1.PodSecurityBaseline

// podSecurityFromInput takes the profile composed pods must meet, and
// whether RDMA's IPC_LOCK is allowed in it.
func podSecurityFromInput(c *Config, in *v1beta1.PodSecurity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch in.Level {
	case "":
	case v1beta1.PodSecurityPrivileged, v1beta1.PodSecurityBaseline, v1beta1.PodSecurityRestricted:
		c.PodSecurityLevel = in.Level
	default:
		errs = append(errs, field.NotSupported(p.Child("level"), in.Level,
			[]v1beta1.PodSecurityLevel{v1beta1.PodSecurityPrivileged, v1beta1.PodSecurityBaseline, v1beta1.PodSecurityRestricted}))
	}
	switch in.IPCLock {
	case "", v1beta1.Disabled:
	case v1beta1.Enabled:
		c.AllowIPCLock = true
	default:
		errs = append(errs, field.NotSupported(p.Child("ipcLock"), in.IPCLock, []v1beta1.Switch{v1beta1.Enabled, v1beta1.Disabled}))
	}
	return errs
}
