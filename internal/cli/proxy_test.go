package cli

import "testing"

func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "512": 512, "64KiB": 64 << 10, "100MiB": 100 << 20, "100M": 100 << 20, "1GiB": 1 << 30, "2g": 2 << 30, "10MB": 10 << 20,
	} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d %v, want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "MiB", "1TiB", "1.5MiB", "99999999999G"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
	if b := byteSize(100 << 20); b.String() != "100MiB" {
		t.Errorf("default shows as %s", b.String())
	}
}
