package compose

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// The storage initializer's variables for a confidential model, KServe's
// (pkg/constants): it decrypts the files it downloaded with the key of the
// Key Broker Service resource.
const (
	envConfidentialEnabled  = "CONFIDENTIAL_ENABLED"
	envConfidentialResource = "CONFIDENTIAL_RESOURCE_ID"
)

// addConfidential has the storage initializer of pod decrypt the model
// when spec.model.confidential asks for it, as KServe does: only where the
// initializer downloads the model (hf://, s3://); spec.Warnings says where
// the field has no effect. A variable the user's init container sets is
// left as it is.
func (b *builder) addConfidential(pod *corev1.PodSpec) {
	c := b.svc.Spec.Model.Confidential
	if c == nil || !c.Enabled {
		return
	}
	si := initContainer(pod, wiring.StorageInitializer)
	if si == nil {
		return
	}
	setEnv(si, corev1.EnvVar{Name: envConfidentialEnabled, Value: "true"})
	if c.ResourceID != nil && *c.ResourceID != "" {
		setEnv(si, corev1.EnvVar{Name: envConfidentialResource, Value: *c.ResourceID})
	}
}
