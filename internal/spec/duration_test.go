package spec

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDurationJSON(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: `"500ms"`, want: 500 * time.Millisecond},
		{in: `"1m30s"`, want: 90 * time.Second},
		{in: `"0s"`, want: 0},
		{in: `30`, err: `must be a duration string such as "500ms" or "1m30s" (got 30)`},
		{in: `"soon"`, err: `must be a duration such as "500ms" or "1m30s" (got "soon")`},
		{in: `"10"`, err: `(got "10")`},
		{in: `true`, err: `(got true)`},
	} {
		var d Duration
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.err != "" {
			if err == nil || !contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || d.D() != tc.want {
			t.Errorf("%s: got %v (%v), want %v", tc.in, d.D(), err, tc.want)
		}
		out, _ := json.Marshal(d)
		var back Duration
		if err := json.Unmarshal(out, &back); err != nil || back != d {
			t.Errorf("%s: marshal round trip %s -> %v (%v)", tc.in, out, back, err)
		}
	}
}

func TestXBerthInterpolatedInteger(t *testing.T) {
	st := loadString(t, "x-berth:\n  parallelism: ${PAR:-3}\nservices:\n  web:\n    image: x\n")
	if st.Berth.Parallelism != 3 {
		t.Errorf("parallelism = %d, want 3", st.Berth.Parallelism)
	}
}
