package spec

import (
	"encoding/json"
	"fmt"
	"time"
)

// UnmarshalJSON accepts a Go duration string such as "500ms" or "1m30s".
// Bare numbers are refused: "30" could mean seconds or nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a duration string such as \"500ms\" or \"1m30s\" (got %s)", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("must be a duration such as \"500ms\" or \"1m30s\" (got %q)", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a string UnmarshalJSON reads back.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// String returns the duration as "1m30s".
func (d Duration) String() string { return time.Duration(d).String() }
