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

// decodeValue decodes one value. Structs, pointers to structs and lists of
// structs (routes, canary steps) are walked key by key, so a typo inside a
// list entry is as much an error as one at the top.
func decodeValue(raw any, at []string, f reflect.Value) error {
	t := f.Type()
	switch {
	case walked(t):
		return decodeStruct(raw, at, f)
	case t.Kind() == reflect.Pointer && walked(t.Elem()):
		if raw == nil {
			f.SetZero()
			return nil
		}
		p := reflect.New(t.Elem())
		if err := decodeStruct(raw, at, p.Elem()); err != nil {
			return err
		}
		f.Set(p)
		return nil
	case t.Kind() == reflect.Slice && walked(t.Elem()):
		return decodeList(raw, at, f)
	}
	return decodeLeaf(raw, at, f)
}

// walked says a type is decoded key by key rather than by encoding/json.
func walked(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerType)
}

func decodeList(raw any, at []string, f reflect.Value) error {
	if raw == nil {
		f.SetZero()
		return nil
	}
	items, ok := raw.([]any)
	if !ok {
		return extensionError(at, fmt.Sprintf("must be a list (got %s)", describe(raw)), "")
	}
	list := reflect.MakeSlice(f.Type(), len(items), len(items))
	for i, item := range items {
		path := append(append([]string{}, at...), strconv.Itoa(i))
		if err := decodeValue(item, path, list.Index(i)); err != nil {
			return err
		}
	}
	f.Set(list)
	return nil
}

func decodeLeaf(raw any, at []string, f reflect.Value) error {
	raw = fromInterpolated(raw, leafKind(f))
	b, err := json.Marshal(raw)
	if err != nil {
		return extensionError(at, "cannot be decoded: "+err.Error(), "")
	}
	if err := json.Unmarshal(b, f.Addr().Interface()); err != nil {
		return extensionError(at, leafMessage(err, f, b), "")
	}
	return nil
}

// leafKind is the kind of a leaf, looking through a pointer (*int).
func leafKind(f reflect.Value) reflect.Kind {
	if f.Kind() == reflect.Pointer {
		return f.Type().Elem().Kind()
	}
	return f.Kind()
}

// fromInterpolated turns an interpolated number (${N:-5} arrives as the
// string "5") into a number for a numeric field.
func fromInterpolated(raw any, kind reflect.Kind) any {
	s, ok := raw.(string)
	if !ok {
		return raw
	}
	switch kind {
	case reflect.Int:
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	case reflect.Float64:
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			return x
		}
	}
	return raw
}

// leafMessage words a leaf decoding error; Duration says its own.
func leafMessage(err error, f reflect.Value, b []byte) string {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	switch leafKind(f) {
	case reflect.Int:
		return fmt.Sprintf("must be an integer (got %s)", b)
	case reflect.Float64:
		return fmt.Sprintf("must be a number (got %s)", b)
	case reflect.String:
		return fmt.Sprintf("must be a string (got %s)", b)
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
