package spec

// confidentialWarnings say where spec.model.confidential has no effect:
// only the storage initializer decrypts, and it runs for hf:// and s3://
// models only. KServe's webhook warns for oci:// and pvc:// too.
func confidentialWarnings(s *LLMInferenceServiceSpec) []string {
	c := s.Model.Confidential
	if c == nil || !c.Enabled {
		return nil
	}
	const p = "spec.model.confidential"
	if si := s.StorageInitializer; si != nil && si.Enabled != nil && !*si.Enabled {
		return []string{p + " has no effect with spec.storageInitializer.enabled: false: only the storage initializer decrypts the model, and it does not run"}
	}
	src, err := ParseSource(s.Model.URI)
	if err != nil {
		return nil // spec.Validate refuses the URI.
	}
	switch src.Scheme {
	case SchemeOCI:
		return []string{p + " has no effect on an oci:// model: the image's files are mounted as they are, without the storage initializer that decrypts; serve an encrypted model from hf:// or s3://"}
	case SchemePVC:
		return []string{p + " has no effect on a pvc:// model: the claim is mounted as it is, without the storage initializer that decrypts; serve an encrypted model from hf:// or s3://"}
	}
	if l := s.Model.LoRA; l != nil {
		for _, a := range l.Adapters {
			if a, err := ParseSource(a.URI); err == nil && (a.Scheme == SchemeHF || a.Scheme == SchemeS3) {
				return []string{p + ": the storage initializer that decrypts the model downloads the LoRA adapters from hf:// and s3:// too, with the same key (KServe decrypts nothing when a service has adapters)"}
			}
		}
	}
	return nil
}
