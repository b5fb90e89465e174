package compose

// providerExtras composes the provider-specific objects the Function input
// switches on for a managed scheduler. TODO(helper).
func (b *builder) providerExtras() []Object { return nil }
