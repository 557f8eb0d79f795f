package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// decodeStrict decodes raw (an extension value as compose-go gives it:
// maps, slices and scalars) into the struct target points to. Unlike
// encoding/json with DisallowUnknownFields, it says where a bad key or value
// is and which keys are valid there. Leaves are decoded by encoding/json
// from their re-encoded JSON, so custom types (Duration) apply.
func decodeStrict(raw any, at []string, target any) error {
	return decodeStruct(raw, at, reflect.ValueOf(target).Elem())
}

func decodeStruct(raw any, at []string, v reflect.Value) error {
	m, ok := raw.(map[string]any)
	if !ok {
		return extensionError(at, fmt.Sprintf("must be a mapping (got %s)", describe(raw)), "")
	}
	fields := jsonFields(v.Type())
	for _, key := range sortedKeys(m) {
		i, ok := fields[key]
		path := append(append([]string{}, at...), key)
		if !ok {
			return extensionError(path, fmt.Sprintf("unknown key %q", key),
				"valid keys: "+strings.Join(sortedKeys(fields), ", "))
		}
		if err := decodeValue(m[key], path, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func decodeValue(raw any, at []string, f reflect.Value) error {
	if f.Kind() == reflect.Struct && !reflect.PointerTo(f.Type()).Implements(unmarshalerType) {
		return decodeStruct(raw, at, f)
	}
	if s, ok := raw.(string); ok && f.Kind() == reflect.Int {
		// an interpolated value (${N:-5}) arrives as a string
		if n, err := strconv.Atoi(s); err == nil {
			raw = n
		}
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return extensionError(at, "cannot be decoded: "+err.Error(), "")
	}
	if err := json.Unmarshal(b, f.Addr().Interface()); err != nil {
		return extensionError(at, leafMessage(err, f, b), "")
	}
	return nil
}

// leafMessage words a leaf decoding error; Duration says its own.
func leafMessage(err error, f reflect.Value, b []byte) string {
	var te *json.UnmarshalTypeError
	if f.Kind() == reflect.Int && errors.As(err, &te) {
		return fmt.Sprintf("must be an integer (got %s)", b)
	}
	return err.Error()
}

// jsonFields maps JSON names to field indexes of a struct type.
func jsonFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = i
	}
	return out
}

func extensionError(at []string, msg, hint string) *LoadError {
	le := located(at, msg, hint)
	le.at = at
	return le
}

func describe(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func splitDots(s string) []string { return strings.Split(s, ".") }
