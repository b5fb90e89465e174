package compose

import "k8s.io/apimachinery/pkg/util/validation/field"

// scheduler composes the InferencePool and the endpoint picker. TODO(helper).
func (b *builder) scheduler() ([]Object, field.ErrorList) { return nil, nil }
