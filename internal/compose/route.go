package compose

import "k8s.io/apimachinery/pkg/util/validation/field"

// route composes the managed HTTPRoute. TODO(helper).
func (b *builder) route() ([]Object, field.ErrorList) { return nil, nil }
