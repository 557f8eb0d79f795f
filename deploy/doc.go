// Package deploy holds the monitoring files berth ships for operators:
// Prometheus alerting rules (prometheus/berth-alerts.yml) and a Grafana
// dashboard (grafana/berth-dashboard.json). It has no code; its tests
// check the files with promtool and parse the dashboard.
package deploy
