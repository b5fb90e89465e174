package main

import (
	"container/list"
	"crypto/sha256"
	"sync"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// DefaultPlanCacheMiB is how much memory the served binary lets its plans
// take. A function serves every XR of its Compositions, and Crossplane
// calls it for each of them every poll interval: the cache helps only if
// it holds a plan for every service, since a cyclic walk over more
// services than an LRU holds misses on every call. 56 MiB holds about
// 1,150 plans of the seed's shape and 630 of wide expert parallelism
// (BENCHMARKS.md, "What a plan costs"; 48 MiB held 987 seed plans once
// the route had KServe's twelve named rules, and a catalog of 1,000
// composed again on every call), and leaves the rest of the served
// binary's memory limit (tuneGC) to the garbage of the calls: a cache that
// took most of it would have the collector run without pause.
const DefaultPlanCacheMiB = 56

// planOverheadFactor turns a plan's encoded objects into what the whole
// plan takes in memory: the outline of its service and of its objects, its
// pod sets and the cache's own entry come on top of the encoded bytes.
// Measured (BenchmarkPlanMemory) at 1.5 to 2.2 for the benchmarked
// patterns; the largest, rounded up, keeps the budget honest.
const planOverheadFactor = 2.3

// planCost estimates how many bytes plan p keeps alive in the cache.
func planCost(p *plan) int64 {
	var n int
	for _, b := range p.encoded {
		n += len(b)
	}
	return int64(float64(n) * planOverheadFactor)
}

// planCache keeps the most recently used plans by a digest of everything a
// plan depends on, within a budget of bytes. It is bounded by memory, not
// by a count of entries, because plans of one function differ tenfold in
// size (a single-node service to a wide expert-parallel one) and a catalog
// outgrows any count chosen up front. Invalid specs are not cached: they
// are rare, and their Fatal result must be computed anyway.
type planCache struct {
	mu      sync.Mutex
	budget  int64
	used    int64
	order   *list.List // of *planEntry, most recent first
	entries map[[sha256.Size]byte]*list.Element
}

type planEntry struct {
	key  [sha256.Size]byte
	plan *plan
	cost int64
}

// newPlanCache returns a cache that keeps plans within budget bytes. The
// most recent plan is kept even when it alone is over the budget.
func newPlanCache(budget int64) *planCache {
	return &planCache{budget: budget, order: list.New(), entries: map[[sha256.Size]byte]*list.Element{}}
}

// get returns the cached plan for these inputs, or makes, caches and
// returns it. A nil cache always makes a new plan.
func (c *planCache) get(req *fnv1.RunFunctionRequest, oxr *resource.Composite, xrSpec map[string]any, bases []config.Layer, pickerConfigRef string, build func() (*plan, error)) (*plan, error) {
	if c == nil {
		return build()
	}
	key, err := planKey(req, oxr, xrSpec, bases, pickerConfigRef)
	if err != nil {
		return build() // Not cacheable; never a reason to fail.
	}
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		p := e.Value.(*planEntry).plan
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()

	p, err := build()
	if err != nil {
		return nil, err
	}
	c.add(key, p)
	return p, nil
}

// add caches p under key, and evicts the least recently used plans until
// the cache is within its budget again.
func (c *planCache) add(key [sha256.Size]byte, p *plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return // Another call made it meanwhile.
	}
	e := &planEntry{key: key, plan: p, cost: planCost(p)}
	c.entries[key] = c.order.PushFront(e)
	c.used += e.cost
	for c.used > c.budget && c.order.Len() > 1 {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		o := oldest.Value.(*planEntry)
		delete(c.entries, o.key)
		c.used -= o.cost
	}
}
