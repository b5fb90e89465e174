//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// historyDepth is how many versions of one object a history keeps: a
// rewrite between two snapshots is one write or a few, and keeping every
// version of 2,000 objects would cost the test more memory than the
// control plane.
const historyDepth = 6

// A history is every version of the fleet's composed objects that a watch
// announced, the last historyDepth of each. Two snapshots say that an
// object was written between them; the history says how many times and
// what each write changed, which tells a write that changed something and
// was undone from one that changed nothing at all.
type history struct {
	mu       sync.Mutex
	versions map[string][]*unstructured.Unstructured
	watching map[schema.GroupVersionKind]bool
	ctx      context.Context
}

func newHistory(ctx context.Context) *history {
	return &history{versions: map[string][]*unstructured.Unstructured{}, watching: map[schema.GroupVersionKind]bool{}, ctx: ctx}
}

// watch starts recording the objects of gvk in the soak's namespaces, once
// per kind. An informer relists after a watch breaks (the faults restart
// kube-apiserver and etcd), so versions written while it was away are
// missed, not the ones after.
func (h *history) watch(f *fleet, gvk schema.GroupVersionKind) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watching[gvk] {
		return nil
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	r, err := f.e.resource(u)
	if err != nil {
		return err
	}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return r.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return r.Watch(ctx, o)
		},
	}
	inf := cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    h.record,
		UpdateFunc: func(_, obj any) { h.record(obj) },
	}); err != nil {
		return err
	}
	go inf.RunWithContext(h.ctx)
	h.watching[gvk] = true
	return nil
}

func (h *history) record(obj any) {
	o, ok := obj.(*unstructured.Unstructured)
	if !ok || !strings.HasPrefix(o.GetNamespace(), soakNamespacePrefix) {
		return
	}
	k := objectKey(o)
	h.mu.Lock()
	defer h.mu.Unlock()
	vs := h.versions[k]
	if n := len(vs); n > 0 && vs[n-1].GetResourceVersion() == o.GetResourceVersion() {
		return // a relist announces what it already had
	}
	h.versions[k] = append(vs[max(0, len(vs)+1-historyDepth):], o)
}

// between tells what the watch saw of the object k from the version before
// to the version after: each write with what it changed.
func (h *history) between(k string, before, after *unstructured.Unstructured) string {
	if h == nil {
		return ""
	}
	from, to := resourceVersion(before), resourceVersion(after)
	h.mu.Lock()
	var seen []*unstructured.Unstructured
	for _, v := range h.versions[k] {
		if rv := resourceVersion(v); rv > from && rv <= to {
			seen = append(seen, v)
		}
	}
	h.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "the watch saw %d write(s) from resourceVersion %d to %d (it keeps the last %d):\n", len(seen), from, to, historyDepth)
	prev := before
	for _, v := range seen {
		fmt.Fprintf(&b, "resourceVersion %d, generation %d, by %s:\n%s", resourceVersion(v), v.GetGeneration(), lastWriter(v), rewrite(prev, v))
		prev = v
	}
	return b.String()
}

// resourceVersion is etcd's revision of obj: comparable as a number on
// this control plane, whose only storage is one etcd.
func resourceVersion(obj *unstructured.Unstructured) int64 {
	rv, _ := strconv.ParseInt(obj.GetResourceVersion(), 10, 64)
	return rv
}
