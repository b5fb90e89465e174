package spec

// HasRoute is true when traffic reaches the model servers through an
// HTTPRoute, managed or referenced. Nil means no router at all.
func (r *RouterSpec) HasRoute() bool { return r != nil && r.Route != nil }

// HasScheduler is true when the endpoint picker routes the traffic, through
// a managed or a referenced pool.
func (r *RouterSpec) HasScheduler() bool { return r != nil && r.Scheduler != nil }
