package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// stackFile prepends a `name:` line, so file lines here are one more than
// in the bodies. Every bad file is refused with exit code 2 and one error that names the
// file, the line where there is one, the service and the field; nothing is
// deployed from it, and a running revision is left alone.
func TestBadInputIsRefusedClearly(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"yaml syntax", "services:\n  app:\n    image: [unclosed\n", []string{"compose.yaml:4"}},
		{"unknown field", "services:\n  app:\n    image: " + testImage + "\n    imagee: x\n", []string{"compose.yaml:5", `service "app"`, "imagee", `did you mean "image"`}},
		{"wrong type", "services:\n  app:\n    image: " + testImage + "\n    deploy:\n      replicas: three\n", []string{"compose.yaml:6", `service "app"`, "deploy.replicas"}},
		{"missing variable", "services:\n  app:\n    image: ${IMAGE:?set IMAGE to the image to run}\n", []string{"compose.yaml", "set IMAGE to the image to run"}},
		{"unknown dependency", "services:\n  app:\n    image: " + testImage + "\n    depends_on: [db]\n", []string{"compose.yaml", `service "app"`, "db"}},
		{"dependency cycle", "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n", []string{"compose.yaml", "cycle"}},
		{"unknown x-berth key", "services:\n  app:\n    image: " + testImage + "\n    x-berth:\n      backof: {initial: 1s}\n", []string{"compose.yaml:6", `service "app"`, "backof", "valid keys"}},
		{"no image or build", "services:\n  app:\n    command: [run]\n", []string{"compose.yaml", `service "app"`, "image"}},
		{"invalid restart", "services:\n  app:\n    image: " + testImage + "\n    restart: sometimes\n", []string{"compose.yaml:5", `service "app"`, "restart"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, file := stackFile(t, tt.body)
			for _, cmd := range []string{"up", "plan"} {
				out, code, _ := run(t.Context(), cmd, "-f", file)
				if code != 2 {
					t.Errorf("berth %s: exit %d, want 2\n%s", cmd, code, out)
				}
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("berth %s error lacks %q:\n%s", cmd, w, out)
					}
				}
			}
			if cs := containers(t, name); len(cs) != 0 {
				t.Errorf("a bad file deployed containers: %+v", cs)
			}
			if out := berth(t, "stacks"); strings.Contains(out, name) {
				t.Errorf("a bad file created a stack:\n%s", out)
			}
		})
	}
}

func TestBadFileLeavesRunningRevision(t *testing.T) {
	name, file := stackFile(t, "services:\n"+appService("app", ""))
	berth(t, "up", "-f", file, "--wait")
	before := containers(t, name)
	bad := filepath.Join(filepath.Dir(file), "bad.yaml")
	writeFile(t, bad, "name: "+name+"\nservices:\n  app:\n    image: "+testImage+"\n    ports: [\"notaport\"]\n")
	if out, code, _ := run(t.Context(), "up", "-f", bad, "--wait"); code != 2 || !strings.Contains(out, "bad.yaml") {
		t.Errorf("up of a bad file: exit %d\n%s", code, out)
	}
	after := containers(t, name)
	if len(after) != 1 || after[0].ID != before[0].ID || after[0].State != "running" {
		t.Errorf("a bad file touched the running stack: before %+v after %+v", before, after)
	}
	if out := berth(t, "stacks"); !strings.Contains(out, name+"  1 ") && !strings.Contains(out, "converged") {
		t.Errorf("revision changed after a bad file:\n%s", out)
	}
}
