package alert

import (
	"fmt"
	"io"
	"strings"
	"text/template"
)

// templatePrelude gives annotation templates Prometheus' $labels and
// $value variables.
const templatePrelude = "{{$labels := .Labels}}{{$value := .Value}}"

var templateFuncs = template.FuncMap{
	"humanizePercentage": func(v float64) string {
		return fmt.Sprintf("%.4g%%", v*100)
	},
}

// templateData is what an annotation template is executed with.
type templateData struct {
	Labels map[string]string
	Value  float64
}

// parseTemplate parses an annotation and tries it once with no labels and
// a zero value, which no sound template fails on: a field the data lacks
// ({{ .service }}, which is what Compose leaves of {{ $labels.service }}
// after replacing $labels with an empty variable) would otherwise break
// every notification, not the rule's load.
func parseTemplate(name, text string) (*template.Template, error) {
	t, err := template.New(name).Option("missingkey=zero").Funcs(templateFuncs).Parse(templatePrelude + text)
	if err != nil {
		return nil, fmt.Errorf("parsing template: %w", err)
	}
	if err := t.Execute(io.Discard, templateData{Labels: map[string]string{}}); err != nil {
		return nil, fmt.Errorf("trying template: %w (the data is $labels, $value, .Labels and .Value)", err)
	}
	return t, nil
}

// expand executes every annotation template. A template that fails at run
// time yields its error text, so the alert still goes out.
func (r *compiledRule) expand(labels map[string]string, value float64) map[string]string {
	out := make(map[string]string, len(r.annotations))
	data := templateData{Labels: labels, Value: value}
	for k, t := range r.annotations {
		var b strings.Builder
		if err := t.Execute(&b, data); err != nil {
			out[k] = fmt.Sprintf("%s (template error: %v)", r.Annotations[k], err)
			continue
		}
		out[k] = b.String()
	}
	return out
}
