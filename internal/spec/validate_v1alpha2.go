package spec

import (
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The rules of the fields v1alpha2 added, KServe's webhook's.

// kbsResourceID is the form of a Key Broker Service resource.
var kbsResourceID = regexp.MustCompile(`^kbs:///[a-zA-Z0-9_.-]+/[a-zA-Z0-9_.-]+/[a-zA-Z0-9_.-]+$`)

func validateConfidential(c *ConfidentialSpec, p *field.Path) field.ErrorList {
	if c == nil || c.ResourceID == nil || kbsResourceID.MatchString(*c.ResourceID) {
		return nil
	}
	return field.ErrorList{field.Invalid(p.Child("resourceId"), *c.ResourceID, "must be a Key Broker Service resource, kbs:///<repository>/<type>/<tag>")}
}

// validateKVCacheOffloading checks kvCacheOffloading at p: a CPU tier the
// secondary tiers sit below, and each secondary tier one file system on
// one kind of volume.
func validateKVCacheOffloading(k *KVCacheOffloadingSpec, p *field.Path) field.ErrorList {
	if k == nil {
		return nil
	}
	var errs field.ErrorList
	if k.CPU.Sign() < 0 || (k.CPU.IsZero() && len(k.Secondary) > 0) {
		errs = append(errs, field.Invalid(p.Child("cpu"), k.CPU.String(), "must be more than 0: the CPU tier is the one the secondary tiers sit below"))
	}
	switch k.EvictionPolicy {
	case "", EvictionPolicyLRU, EvictionPolicyARC:
	default:
		errs = append(errs, field.NotSupported(p.Child("evictionPolicy"), k.EvictionPolicy, []string{EvictionPolicyLRU, EvictionPolicyARC}))
	}
	for i, t := range k.Secondary {
		errs = append(errs, validateKVCacheTier(t, p.Child("secondary").Index(i))...)
	}
	return errs
}

func validateKVCacheTier(t KVCacheSecondaryTier, p *field.Path) field.ErrorList {
	fs := t.FileSystem
	fp := p.Child("fileSystem")
	switch {
	case fs == nil:
		return field.ErrorList{field.Required(fp, "a file system tier: fileSystem.emptyDir or fileSystem.pvc")}
	case (fs.EmptyDir == nil) == (fs.PVC == nil):
		return field.ErrorList{field.Invalid(fp, "", "exactly one of emptyDir and pvc is required")}
	case fs.PVC == nil:
		return nil
	}
	pp := fp.Child("pvc")
	if (fs.PVC.Spec == nil) == (fs.PVC.Ref == nil) {
		return field.ErrorList{field.Invalid(pp, "", "exactly one of spec and ref is required: spec for a claim made for each pod, ref for an existing claim")}
	}
	if r := fs.PVC.Ref; r != nil {
		if r.Name == "" {
			return field.ErrorList{field.Required(pp.Child("ref", "name"), "the PersistentVolumeClaim to mount")}
		}
		var errs field.ErrorList
		for _, msg := range validation.IsDNS1123Subdomain(r.Name) {
			errs = append(errs, field.Invalid(pp.Child("ref", "name"), r.Name, msg))
		}
		return errs
	}
	return nil
}
