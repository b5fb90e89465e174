package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMerge covers each merge rule in both directions: which layer is
// lower must decide the result, never the order fields happen to appear in.
func TestMerge(t *testing.T) {
	cases := map[string]struct {
		reason string
		lower  string
		higher string
		want   string
	}{
		"ScalarFromHigher": {
			reason: "A scalar set in the higher layer wins.",
			lower:  `{"replicas": 2}`, higher: `{"replicas": 5}`, want: `{"replicas": 5}`,
		},
		"ScalarKeptFromLower": {
			reason: "A scalar only the lower layer sets survives.",
			lower:  `{"replicas": 2}`, higher: `{"model": {"uri": "hf://o/m"}}`, want: `{"replicas": 2, "model": {"uri": "hf://o/m"}}`,
		},
		"ExplicitFalseWins": {
			reason: "expert: false in the higher layer beats true below it (kserve/kserve#5439).",
			lower:  `{"parallelism": {"expert": true, "tensor": 2}}`, higher: `{"parallelism": {"expert": false}}`,
			want: `{"parallelism": {"expert": false, "tensor": 2}}`,
		},
		"ExplicitZeroWins": {
			reason: "replicas: 0 in the higher layer beats 3 below it.",
			lower:  `{"replicas": 3}`, higher: `{"replicas": 0}`, want: `{"replicas": 0}`,
		},
		"TrueOverFalse": {
			reason: "The other direction: true above false.",
			lower:  `{"parallelism": {"expert": false}}`, higher: `{"parallelism": {"expert": true}}`, want: `{"parallelism": {"expert": true}}`,
		},
		"ContainersByName": {
			reason: "Containers merge by name: the higher layer's image replaces, the lower layer's resources stay.",
			lower:  `{"template": {"containers": [{"name": "main", "image": "a", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "image": "b"}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "image": "b", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}`,
		},
		"OtherContainersKept": {
			reason: "A container only one layer has is kept, in either direction; the lower layer's come first.",
			lower:  `{"template": {"containers": [{"name": "main", "image": "a"}, {"name": "log", "image": "l"}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "image": "b"}, {"name": "proxy", "image": "p"}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "image": "b"}, {"name": "log", "image": "l"}, {"name": "proxy", "image": "p"}]}}`,
		},
		"EnvByName": {
			reason: "Env merges by name: same name from the higher layer, others from both.",
			lower:  `{"template": {"containers": [{"name": "main", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "1"}]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "env": [{"name": "B", "value": "2"}, {"name": "C", "value": "2"}]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "2"}]}]}}`,
		},
		"AddedEnvAfterBase": {
			reason: "An env var the higher layer adds comes after the lower layer's, so $(VAR) references to them expand.",
			lower:  `{"template": {"containers": [{"name": "main", "env": [{"name": "BASE", "value": "1"}]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "env": [{"name": "USE", "value": "$(BASE)/x"}]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "env": [{"name": "BASE", "value": "1"}, {"name": "USE", "value": "$(BASE)/x"}]}]}}`,
		},
		"ContainersByNameReversed": {
			reason: "The same containers the other way round: now the lower layer's image loses and the higher layer's resources stay.",
			lower:  `{"template": {"containers": [{"name": "main", "image": "b"}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "image": "a", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "image": "a", "resources": {"limits": {"nvidia.com/gpu": "8"}}}]}}`,
		},
		"EnvByNameReversed": {
			reason: "Env the other way round: the same name takes the higher value.",
			lower:  `{"template": {"containers": [{"name": "main", "env": [{"name": "B", "value": "2"}, {"name": "C", "value": "2"}]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "1"}]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "env": [{"name": "B", "value": "1"}, {"name": "C", "value": "2"}, {"name": "A", "value": "1"}]}]}}`,
		},
		"MapsByKeyReversed": {
			reason: "Maps the other way round.",
			lower:  `{"labels": {"b": "2"}}`, higher: `{"labels": {"a": "1", "b": "1"}}`,
			want: `{"labels": {"a": "1", "b": "1"}}`,
		},
		"ArgsReplacedReversed": {
			reason: "Args the other way round: the higher layer's list, whatever its length.",
			lower:  `{"template": {"containers": [{"name": "main", "args": ["--c"]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "args": ["--a", "--b"]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "args": ["--a", "--b"]}]}}`,
		},
		"InitContainersByName": {
			reason: "Init containers merge by name.",
			lower:  `{"template": {"initContainers": [{"name": "dl", "image": "a", "args": ["x"]}]}}`,
			higher: `{"template": {"initContainers": [{"name": "dl", "image": "b"}]}}`,
			want:   `{"template": {"initContainers": [{"name": "dl", "image": "b", "args": ["x"]}]}}`,
		},
		"VolumesByName": {
			reason: "Volumes merge by name.",
			lower:  `{"template": {"volumes": [{"name": "cache", "emptyDir": {}}]}}`,
			higher: `{"template": {"volumes": [{"name": "data", "emptyDir": {}}]}}`,
			want:   `{"template": {"volumes": [{"name": "cache", "emptyDir": {}}, {"name": "data", "emptyDir": {}}]}}`,
		},
		"VolumeMountsByPath": {
			reason: "Volume mounts merge by mount path: the higher layer's volume at the same path replaces.",
			lower:  `{"template": {"containers": [{"name": "main", "volumeMounts": [{"name": "a", "mountPath": "/cache"}]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "volumeMounts": [{"name": "b", "mountPath": "/cache"}]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "volumeMounts": [{"name": "b", "mountPath": "/cache"}]}]}}`,
		},
		"PortsByNumber": {
			reason: "Ports merge by container port.",
			lower:  `{"template": {"containers": [{"name": "main", "ports": [{"containerPort": 8000, "name": "http"}]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "ports": [{"containerPort": 8000, "name": "api"}, {"containerPort": 9000}]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "ports": [{"containerPort": 8000, "name": "api"}, {"containerPort": 9000}]}]}}`,
		},
		"ArgsReplaced": {
			reason: "Args are a list without a merge key: the higher layer's replace the lower's.",
			lower:  `{"template": {"containers": [{"name": "main", "args": ["--a", "--b"]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "args": ["--c"]}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "args": ["--c"]}]}}`,
		},
		"ArgsKeptFromLower": {
			reason: "Args only the lower layer sets survive a higher layer that sets other fields of the container.",
			lower:  `{"template": {"containers": [{"name": "main", "args": ["--a"]}]}}`,
			higher: `{"template": {"containers": [{"name": "main", "image": "b"}]}}`,
			want:   `{"template": {"containers": [{"name": "main", "image": "b", "args": ["--a"]}]}}`,
		},
		"MapsByKey": {
			reason: "Maps merge by key.",
			lower:  `{"labels": {"a": "1", "b": "1"}, "template": {"nodeSelector": {"gpu": "h100"}}}`,
			higher: `{"labels": {"b": "2"}, "template": {"nodeSelector": {"zone": "z"}}}`,
			want:   `{"labels": {"a": "1", "b": "2"}, "template": {"nodeSelector": {"gpu": "h100", "zone": "z"}}}`,
		},
		"RouteRulesReplaced": {
			reason: "HTTPRoute lists have no merge key: the higher layer's rules replace.",
			lower:  `{"router": {"route": {"http": {"spec": {"rules": [{"matches": [{"path": {"value": "/a"}}]}], "hostnames": ["a"]}}}}}`,
			higher: `{"router": {"route": {"http": {"spec": {"rules": [{"matches": [{"path": {"value": "/b"}}]}]}}}}}`,
			want:   `{"router": {"route": {"http": {"spec": {"rules": [{"matches": [{"path": {"value": "/b"}}]}], "hostnames": ["a"]}}}}}`,
		},
		"EmptyObjectKeepsLower": {
			reason: "router.scheduler: {} in the higher layer asks for a scheduler; it does not erase the lower layer's settings.",
			lower:  `{"router": {"scheduler": {"replicas": 2}}}`, higher: `{"router": {"scheduler": {}}}`,
			want: `{"router": {"scheduler": {"replicas": 2}}}`,
		},
		"NullRemoves": {
			reason: "An explicit null in a higher layer removes what a lower layer set: the way to switch a base's scheduler off.",
			lower:  `{"router": {"scheduler": {"replicas": 2}, "route": {}}}`, higher: `{"router": {"scheduler": null}}`,
			want: `{"router": {"route": {}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			lower, higher := obj(t, tc.lower), obj(t, tc.higher)
			got, err := Merge([]Layer{{Name: "base", Source: SourceEnvironmentConfig, Spec: lower}, {Name: "xr", Source: SourceSpec, Spec: higher}})
			if err != nil {
				t.Fatalf("%s\nMerge: %v", tc.reason, err)
			}
			if diff := cmp.Diff(obj(t, tc.want), got); diff != "" {
				t.Errorf("%s\nMerge: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(obj(t, tc.lower), lower); diff != "" {
				t.Errorf("%s\nMerge modified a layer: %s", tc.reason, diff)
			}
		})
	}
}

func TestMergeOrder(t *testing.T) {
	layers := []Layer{
		{Name: "a", Source: SourceBuiltIn, Spec: obj(t, `{"replicas": 1, "labels": {"a": "1"}}`)},
		{Name: "b", Source: SourceFunctionInput, Spec: obj(t, `{"replicas": 2, "labels": {"b": "1"}}`)},
		{Name: "c", Source: SourceEnvironmentConfig, Spec: obj(t, `{"replicas": 3}`)},
		{Name: "d", Source: SourceSpec, Spec: obj(t, `{"labels": {"a": "4"}}`)},
	}
	got, err := Merge(layers)
	if err != nil {
		t.Fatal(err)
	}
	want := obj(t, `{"replicas": 3, "labels": {"a": "4", "b": "1"}}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge: -want, +got:\n%s", diff)
	}
}
