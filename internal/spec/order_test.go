package spec

import (
	"slices"
	"testing"
)

func TestDependencyOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		compose string
		want    []string
	}{
		{"independent services sort by name", `
services:
  c: {image: x}
  a: {image: x}
  b: {image: x}
`, []string{"a", "b", "c"}},
		{"dependencies first", `
services:
  app: {image: x, depends_on: [db, cache]}
  db: {image: x}
  cache: {image: x, depends_on: [db]}
`, []string{"db", "cache", "app"}},
		{"diamond", `
services:
  top: {image: x, depends_on: [left, right]}
  left: {image: x, depends_on: [base]}
  right: {image: x, depends_on: [base]}
  base: {image: x}
  zz: {image: x}
`, []string{"base", "left", "right", "top", "zz"}},
		{"optional dependency on a disabled service is ignored", `
services:
  app:
    image: x
    depends_on:
      tools: {condition: service_started, required: false}
  tools: {image: x, profiles: [dev]}
`, []string{"app"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := serviceNames(loadString(t, tc.compose)); !slices.Equal(got, tc.want) {
				t.Errorf("order = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFullStackOrder(t *testing.T) {
	st, err := loadFile(t, "testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cache", "db", "migrate", "web", "worker"}
	if got := serviceNames(st); !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}
