package wiring

import "testing"

func TestReservedFlags(t *testing.T) {
	type want struct {
		flag     string
		reserved bool
	}
	cases := map[string]struct {
		reason string
		check  func(string) (string, string, bool)
		arg    string
		want   want
	}{
		"VLLMLongFlag":       {reason: "A flag with its value.", check: ReservedVLLMFlag, arg: "--port=9000", want: want{"--port", true}},
		"VLLMFlagAlone":      {reason: "A flag whose value is the next arg.", check: ReservedVLLMFlag, arg: "--served-model-name", want: want{"--served-model-name", true}},
		"VLLMShortFlag":      {reason: "vLLM's short forms are reserved too.", check: ReservedVLLMFlag, arg: "-tp=2", want: want{"-tp", true}},
		"VLLMOtherFlag":      {reason: "Flags the function does not set are the user's.", check: ReservedVLLMFlag, arg: "--max-model-len=8192", want: want{"--max-model-len", false}},
		"VLLMValue":          {reason: "A value is not a flag.", check: ReservedVLLMFlag, arg: "8000", want: want{"8000", false}},
		"PickerTwoDashes":    {reason: "A flag with its value.", check: ReservedPickerFlag, arg: "--pool-name=other", want: want{"--pool-name", true}},
		"PickerOneDash":      {reason: "The picker's flag parser takes one dash too.", check: ReservedPickerFlag, arg: "-grpc-port", want: want{"--grpc-port", true}},
		"PickerThreeDashes":  {reason: "Spelt any way, it is the same flag.", check: ReservedPickerFlag, arg: "---config-file=/x", want: want{"--config-file", true}},
		"PickerOtherFlag":    {reason: "Flags the function does not set are the user's.", check: ReservedPickerFlag, arg: "--v=2", want: want{"--v", false}},
		"PickerValue":        {reason: "A value is not a flag.", check: ReservedPickerFlag, arg: "pool-name", want: want{"", false}},
		"PickerLeaderFlag":   {reason: "Leader election comes with the lease RBAC the function composes.", check: ReservedPickerFlag, arg: "--ha-enable-leader-election", want: want{"--ha-enable-leader-election", true}},
		"PickerTracingIsNot": {reason: "The platform may turn tracing back on.", check: ReservedPickerFlag, arg: "--tracing=true", want: want{"--tracing", false}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			flag, why, reserved := tc.check(tc.arg)
			if flag != tc.want.flag || reserved != tc.want.reserved {
				t.Errorf("%s\n%q: got flag %q reserved %v, want %q %v", tc.reason, tc.arg, flag, reserved, tc.want.flag, tc.want.reserved)
			}
			if reserved && why == "" {
				t.Errorf("%s\n%q: a reserved flag needs a reason the user can act on", tc.reason, tc.arg)
			}
		})
	}
}
