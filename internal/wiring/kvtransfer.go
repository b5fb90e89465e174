package wiring

import (
	"encoding/json"
	"strconv"
)

// vLLM's --kv-transfer-config: the KV connectors the function composes.
// internal/templates writes it for KServe's template function
// kvTransferConfig and internal/compose passes it to vLLM, both from
// KVTransferConfig, so the two cannot disagree.
const (
	// FlagKVTransferConfig is the flag.
	FlagKVTransferConfig = "--kv-transfer-config"

	// ConnectorNIXL moves KV caches between prefill and decode pods.
	ConnectorNIXL = "NixlConnector"
	// ConnectorOffloading offloads KV cache blocks to CPU memory and
	// below it to file system tiers (TieringOffloadingSpec).
	ConnectorOffloading = "OffloadingConnector"
	// ConnectorMulti joins several connectors: vLLM loads a request's
	// blocks from the first that has them, in order, and saves to all
	// (vllm/distributed/kv_transfer/kv_connector/v1/multi_connector.py).
	ConnectorMulti = "MultiConnector"

	// KVRoleBoth lets a pod both send and receive KV caches: a decode pod
	// may also prefill a request the picker did not disaggregate.
	KVRoleBoth = "kv_both"

	// offloadingSpecTiering is the OffloadingConnector's spec with a CPU
	// tier and secondary tiers, KServe's.
	offloadingSpecTiering = "TieringOffloadingSpec"
	// tierFS is a secondary tier on a file system.
	tierFS = "fs"
)

// KVTransferConfig is vLLM's KVTransferConfig as JSON, the fields the
// function sets. The fields are declared in the order of their JSON names,
// so that the text is the one KServe's json.Marshal of a map writes.
type KVTransferConfig struct {
	Connector   string             `json:"kv_connector"`
	ExtraConfig *KVConnectorConfig `json:"kv_connector_extra_config,omitempty"`
	Role        string             `json:"kv_role"`
}

// KVConnectorConfig is kv_connector_extra_config, for the connectors the
// function composes: connectors for a MultiConnector, the rest for an
// OffloadingConnector.
type KVConnectorConfig struct {
	Connectors     []KVTransferConfig `json:"connectors,omitempty"`
	CPUBytesToUse  *int64             `json:"cpu_bytes_to_use,omitempty"`
	EvictionPolicy string             `json:"eviction_policy,omitempty"`
	SecondaryTiers []OffloadingTier   `json:"secondary_tiers,omitempty"`
	SpecName       string             `json:"spec_name,omitempty"`
}

// OffloadingTier is one secondary tier of an OffloadingConnector.
type OffloadingTier struct {
	RootDir string `json:"root_dir"`
	Type    string `json:"type"`
}

// NIXLTransfer is the connector of a prefill/decode pair.
func NIXLTransfer() KVTransferConfig {
	return KVTransferConfig{Connector: ConnectorNIXL, Role: KVRoleBoth}
}

// OffloadingTransfer is the OffloadingConnector that keeps cpuBytes of KV
// cache in CPU memory, evicting by policy ("" for vLLM's default), and
// below it a file system tier in the directory of each index of tiers
// (KVCacheTierDir).
func OffloadingTransfer(cpuBytes int64, policy string, tiers []int) KVTransferConfig {
	extra := &KVConnectorConfig{CPUBytesToUse: &cpuBytes, EvictionPolicy: policy, SpecName: offloadingSpecTiering}
	for _, i := range tiers {
		extra.SecondaryTiers = append(extra.SecondaryTiers, OffloadingTier{RootDir: KVCacheTierDir(i), Type: tierFS})
	}
	return KVTransferConfig{Connector: ConnectorOffloading, ExtraConfig: extra, Role: KVRoleBoth}
}

// MultiTransfer joins connectors, in the order vLLM tries them.
func MultiTransfer(connectors ...KVTransferConfig) KVTransferConfig {
	return KVTransferConfig{Connector: ConnectorMulti, ExtraConfig: &KVConnectorConfig{Connectors: connectors}, Role: KVRoleBoth}
}

// JSON is the flag's value.
func (c KVTransferConfig) JSON() string {
	// Strings, numbers and lists of them: Marshal cannot fail.
	b, _ := json.Marshal(c)
	return string(b)
}

// KVCacheTierVolume is the volume of the secondary tier at index i of
// kvCacheOffloading.secondary, mounted at KVCacheTierDir(i): KServe's
// names. The index counts every entry of the list.
func KVCacheTierVolume(i int) string { return "kv-cache-secondary-" + strconv.Itoa(i) }

// KVCacheTierDir is where the tier at index i is mounted.
func KVCacheTierDir(i int) string { return "/mnt/kv-cache-" + strconv.Itoa(i) }
