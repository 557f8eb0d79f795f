// Package alert evaluates alert rules over metric history and notifies
// webhooks and Alertmanager when alerts fire and resolve.
//
// # Data
//
// The package owns the interface it reads metrics through, Source: one call
// that returns every series of one metric matching some labels between two
// times. The daemon adapts its metrics history to it; tests use a fake.
//
// # Expressions
//
// A rule's expression is deliberately small:
//
//	fn(metric{label="value", other!="x"}[window]) OP number
//
// fn aggregates each matching series over the window ending at evaluation
// time: avg_over_time, max_over_time, min_over_time, last_over_time (or
// their short forms avg, max, min, last) and rate, the per-second increase
// of a counter with resets handled as Prometheus does (needs two points).
// OP is one of > >= < <= == !=. The label matchers are optional; window is
// a Prometheus duration (500ms, 30s, 5m, 1h, 1d, 1w, or sums such as 1h30m).
// A series with no points in the window (or fewer than two, for rate) does
// not take part. Every series whose aggregate satisfies the comparison is an
// active alert, identified by the series' labels plus the rule's labels and
// alertname.
//
// # States
//
// An active alert is pending until it has been active for the rule's For
// duration, then firing (immediately when For is zero). When a pending
// alert stops being active it is dropped (state inactive); when a firing
// one does, it is resolved and kept for Config.ResolvedRetention so that
// notifiers see the resolution even if a send fails. A failed query leaves
// the rule's alerts as they were: missing data never resolves an alert.
// Every state change is passed to Config.OnEvent.
//
// # Rule groups
//
// Config.Rules are the group "". SetRules replaces another group's rules
// at run time (the daemon keeps one group per stack that is up): a rule
// that did not change keeps its alerts; a changed or removed rule is
// retired, evaluated as if its series were gone, so its firing alerts
// resolve and notifiers hear it.
//
// # Notifications
//
// After each evaluation the Manager sends firing and resolved alerts to
// every Notifier: alerts whose state changed at once, the others again
// every Config.ResendInterval, as Alertmanager expects (it resolves alerts
// whose endsAt passes, so firing alerts carry an endsAt a few evaluation
// intervals ahead, and resolved ones carry the resolution time). Webhook
// POSTs a JSON document; Alertmanager POSTs to /api/v2/alerts. Both retry
// with bounded exponential backoff.
//
// # Built-in rules and expected metrics
//
// DefaultRules expects these gauges, labelled with stack, service and (for
// containers) container:
//
//   - berth_service_crashloop: 1 while the reconciler holds a service in
//     crash-loop backoff, else 0.
//   - berth_container_unhealthy: 1 while a container's healthcheck reports
//     unhealthy, else 0.
//   - berth_container_memory_usage_ratio: working set / memory limit
//     (0..1); absent for containers without a limit.
//   - berth_proxy_5xx_ratio: share of a service's requests through the
//     load balancer that failed over each 5 s sample (0..1): 5xx answers
//     from its replicas, plus connection errors and timeouts, plus
//     requests refused for want of a replica. An interval without traffic
//     has no point.
//   - berth_host_disk_free_ratio: free / total bytes of the filesystem
//     holding Docker's data root (0..1), labelled with mountpoint.
//
// # Rule files
//
// User rules use the shape of Prometheus rule files:
//
//	groups:
//	  - name: my-stack
//	    rules:
//	      - alert: APIDown
//	        expr: last_over_time(berth_container_unhealthy{service="api"}[1m]) > 0
//	        for: 2m
//	        labels: {severity: page}
//	        annotations:
//	          summary: "{{ $labels.container }} unhealthy (value {{ $value }})"
//
// Validation is strict: unknown keys, missing or malformed fields, invalid
// label names and annotation templates that do not parse, or that fail when
// tried with no labels (a field the data lacks), are refused with a
// *RuleError naming the file, line, group, rule and field.
//
// A stack's Compose file may hold rules of the same shape under x-berth.alerts
// (package spec decodes them, CheckStackRule validates them). StackRule
// scopes such a rule to its stack: stack="<name>" joins its selector and its
// labels, so it sees only the stack's series and stacks may share names.
//
// Annotations are text/template templates with $labels (the alert's
// labels), $value (the aggregate, a float64) and the function
// humanizePercentage (0.93 → "93%").
package alert
