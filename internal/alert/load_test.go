package alert

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wantLine matches the "# want: substring" lines at the top of a bad fixture.
var wantLine = regexp.MustCompile(`(?m)^# want: (.*)$`)

func TestLoadRuleFileFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := LoadRuleFile(f)
			if strings.HasSuffix(f, ".good.yml") {
				if err != nil {
					t.Fatalf("LoadRuleFile: %v", err)
				}
				return
			}
			data, rerr := os.ReadFile(f)
			if rerr != nil {
				t.Fatal(rerr)
			}
			wants := wantLine.FindAllStringSubmatch(string(data), -1)
			if len(wants) == 0 {
				t.Fatalf("bad fixture without a # want: line")
			}
			if err == nil {
				t.Fatalf("LoadRuleFile succeeded, want an error")
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Errorf("error is not a *RuleError: %T", err)
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), strings.ReplaceAll(w[1], f[len("testdata/"):], f)) {
					t.Errorf("error:\n%v\nwant it to contain %q", err, w[1])
				}
			}
		})
	}
}

func TestLoadRuleFileDecodes(t *testing.T) {
	rules, err := LoadRuleFile("testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("got %d rules, want 2", len(rules))
	}
	r := rules[0]
	if r.Name != "APIUnhealthy" || r.For.String() != "2m0s" || r.Labels["severity"] != "page" ||
		!strings.Contains(r.Annotations["summary"], "$labels.container") {
		t.Fatalf("rule decoded wrongly: %+v", r)
	}
}

func TestDefaultRulesValid(t *testing.T) {
	for _, r := range DefaultRules(Defaults{}) {
		if _, err := compileRule(r); err != nil {
			t.Errorf("built-in rule %s: %v", r.Name, err)
		}
	}
}
