// Package spec turns Compose files into a [Stack]: the typed, validated and
// hashed model that the rest of berth deploys.
//
// Loading is delegated to compose-go, so any file `docker compose config`
// accepts loads here too: interpolation, .env files, profiles, extends,
// include and multiple merged files. On top of that the package
//
//   - decodes berth's own settings from `x-berth` (top level and per
//     service) strictly: an unknown key is an error, not a silent default;
//   - derives what the reconciler needs per service: replica count,
//     effective restart policy, image reference and a spec hash that
//     changes exactly when a container must be replaced;
//   - validates the load balancer settings of `x-berth` (routes, lb,
//     deploy), resolves route TLS files, and rejects routes that would
//     take the same traffic ([RouteConflicts] does the same across
//     stacks); their defaults are read through methods such as
//     [ServiceOptions.Strategy] and [LB.Resolved];
//   - orders services so that dependencies come first;
//   - reports errors as [LoadError] with file, line, service and field, so
//     a person can fix the file without guessing.
//
// A loaded stack has a canonical form ([Stack.Canonical]) that the daemon
// stores and re-loads with [LoadCanonical]; the round trip keeps every hash.
package spec
