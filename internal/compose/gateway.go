package compose

// gateway composes the managed Gateway. TODO(helper).
func (b *builder) gateway() []Object { return nil }
