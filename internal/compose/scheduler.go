package compose

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// scheduler composes the service's managed scheduler: the InferencePool, the
// endpoint picker (llm-d's EPP) that chooses a pod of the pool for each request,
// with its identity, permissions, configuration, Deployment and Service,
// and the InferenceObjective that carries spec.model.criticality. With
// scheduler.pool.ref the pool and its picker exist already and only the
// objective, pointing at the referenced pool, is composed.
//
// Every object is built typed and appended in a fixed order; nothing is
// returned when any field is invalid, so a bad update applies nothing.
func (b *builder) scheduler() ([]Object, field.ErrorList) {
	var objs []Object
	var errs field.ErrorList
	if b.managedScheduler() {
		objs, errs = b.managedSchedulerObjects()
	}
	o, e := b.objective()
	errs = append(errs, e...)
	if len(errs) > 0 {
		return nil, errs
	}
	if o != nil {
		objs = append(objs, Object{Name: resourceObjective, Object: o})
	}
	return objs, nil
}

// managedSchedulerObjects composes the pool and its picker.
func (b *builder) managedSchedulerObjects() ([]Object, field.ErrorList) {
	src, errs := b.pickerConfig()
	if len(errs) > 0 {
		return nil, errs
	}
	d, errs := b.pickerDeployment(src)
	if len(errs) > 0 {
		return nil, errs
	}

	objs := []Object{
		{Name: ResourcePool, Object: b.pool()},
		{Name: resourcePickerServiceAccount, Object: b.pickerServiceAccount()},
		{Name: resourcePickerRole, Object: b.pickerRole()},
		{Name: resourcePickerRoleBinding, Object: b.pickerRoleBinding()},
	}
	if b.pickerReplicas() > 1 {
		objs = append(objs,
			Object{Name: resourcePickerLeaderElectionRole, Object: b.pickerLeaderElectionRole()},
			Object{Name: resourcePickerLeaderElectionBinding, Object: b.pickerLeaderElectionBinding()},
		)
	}
	objs = append(objs, Object{Name: resourcePickerConfig, Object: b.pickerConfigMap(src)})
	objs = append(objs,
		Object{Name: ResourcePickerDeployment, Object: d},
		Object{Name: resourcePickerService, Object: b.pickerService()},
	)
	tok, errs := b.tokenizer()
	if len(errs) > 0 {
		return nil, errs
	}
	return append(objs, tok...), nil
}
